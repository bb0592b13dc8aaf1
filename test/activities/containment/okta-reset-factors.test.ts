import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { entraProvider } from '../../../activities/containment/identity/entra';
import { oktaProvider } from '../../../activities/containment/identity/okta';
import type { IdentityProvider, UserState } from '../../../activities/containment/identity/provider';
import { staticToken } from '../../../activities/containment/vendor-kit/oauth-token';
import { createVendorContainmentActivities } from '../../../activities/containment/vendors';
import { EvidenceStore } from '../../../evidence';
import { loadRunbookText } from '../../../runbooks/load';
import { Secret } from '../../../shared/secret';
import type { ActionFn } from '../../../workflows/runbook-interpreter/steps/action';
import { type ValidatingServer, loadApiDescription, startValidatingServer } from '../../helpers/openapi-validating-server';

/*
 * identity.reset-factors on Okta, against a local server that validates every request against Okta's published
 * management API description (test/fixtures/vendor-apis/okta-management.yaml: getUser, listFactors, resetFactors).
 * Enrolled factors cannot be given back, so the action registers no undo: the evidence records which factors were
 * enrolled before the reset (never their profiles: phone numbers, e-mail addresses) and the outcome says why there
 * is no undo; a runbook asking to compensate it does not load.
 */

const fixture = path.join(__dirname, '..', '..', 'fixtures', 'vendor-apis', 'okta-management.yaml');
const TOKEN = `00okta-${Date.now().toString(36)}-token`;

interface Factor {
  id: string;
  factorType: string;
  provider: string;
  status: string;
  profile: Record<string, string>;
}

describe('identity.reset-factors on Okta (requests validated against its published API description)', () => {
  let server: ValidatingServer;
  let dir: string;
  let store: EvidenceStore;
  let activities: Record<string, ActionFn>;
  let provider: IdentityProvider<UserState>;
  const factors = new Map<string, Factor[]>();
  let resets: string[];
  const incident = `inc-factors-${Date.now().toString(36)}`;

  beforeEach(async () => {
    server = await startValidatingServer(loadApiDescription(fixture), { validateResponses: true });
    resets = [];
    factors.clear();
    const missing = { status: 404, body: { errorCode: 'E0000007', errorSummary: 'Not found: Resource not found' } };
    server.handle('getUser', (r) => (factors.has(r.params.id!) ? { status: 200, body: { id: r.params.id, status: 'ACTIVE' } } : missing));
    server.handle('listFactors', (r) => {
      assert.equal(r.headers.authorization, `SSWS ${TOKEN}`);
      const enrolled = factors.get(r.params.userId!);
      return enrolled ? { status: 200, body: enrolled } : missing;
    });
    server.handle('resetFactors', (r) => {
      const enrolled = factors.get(r.params.id!);
      if (!enrolled) return missing;
      // Okta offers reset_factors only while something is enrolled.
      if (enrolled.length === 0) return { status: 403, body: { errorCode: 'E0000022', errorSummary: 'The endpoint does not support the provided HTTP method' } };
      factors.set(r.params.id!, []);
      resets.push(r.params.id!);
      return { status: 200 };
    });
    provider = oktaProvider({ orgUrl: server.url, token: staticToken('SSWS', () => new Secret(TOKEN)), secrets: () => [TOKEN] }) as IdentityProvider<UserState>;
    dir = mkdtempSync(path.join(tmpdir(), 'fb-okta-factors-'));
    store = await EvidenceStore.open(dir);
    activities = createVendorContainmentActivities({ evidence: { store: async () => store }, identity: provider });
  });
  afterEach(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    server.assertNoRefusals();
  });

  const run = (stepId: string, user: string): Promise<Record<string, unknown>> =>
    new MockActivityEnvironment().run(activities['identity.reset-factors']! as (r: unknown) => Promise<Record<string, unknown>>, { key: `${incident}/${stepId}`, incidentId: incident, stepId, input: { user } });
  const evidenceText = async (evidenceId: string) => new Response(await store.open(evidenceId, { kind: 'system', id: 'test' }, 'check')).text();

  it('resets the enrolled factors, recording which were enrolled, and says it has no undo', async () => {
    factors.set('00u-alice', [
      { id: 'sms1', factorType: 'sms', provider: 'OKTA', status: 'ACTIVE', profile: { phoneNumber: '+1-555-0100' } },
      { id: 'opf1', factorType: 'push', provider: 'OKTA', status: 'ACTIVE', profile: { name: "Alice's phone" } },
    ]);
    const outcome = await run('reset-factors', '00u-alice');
    assert.deepEqual(factors.get('00u-alice'), [], 'Okta holds no factors for the user any more');
    assert.deepEqual(resets, ['00u-alice']);
    const before = outcome.before as { evidenceId: string; state: { factors: unknown[] } };
    const after = outcome.after as { state: { factors: unknown[] } };
    assert.deepEqual(before.state.factors, [
      { id: 'sms1', factorType: 'sms', provider: 'OKTA', status: 'ACTIVE' },
      { id: 'opf1', factorType: 'push', provider: 'OKTA', status: 'ACTIVE' },
    ]);
    assert.deepEqual(after.state.factors, []);
    assert.equal(outcome.irreversible, 'enrolled factors cannot be restored; the user enrols them again');
    const stored = await evidenceText(before.evidenceId);
    assert.ok(stored.includes('"sms1"'));
    for (const hidden of ['+1-555-0100', "Alice's phone", TOKEN]) assert.equal(stored.includes(hidden), false, hidden);
    assert.equal(activities['identity.reset-factors-undo'], undefined);
  });

  it('is safe to retry: a second attempt finds nothing enrolled and sends no second reset', async () => {
    factors.set('00u-bob', [{ id: 'totp1', factorType: 'token:software:totp', provider: 'GOOGLE', status: 'ACTIVE', profile: {} }]);
    const first = await run('reset-bob', '00u-bob');
    const retried = await run('reset-bob', '00u-bob');
    assert.deepEqual(resets, ['00u-bob']);
    assert.deepEqual((retried.before as { state: unknown }).state, (first.before as { state: unknown }).state, 'the retry keeps the state the first attempt recorded');
  });

  it('retries a rate-limited reset after X-Rate-Limit-Reset and fails an unknown user at once, naming it', async () => {
    factors.set('00u-carol', [{ id: 'em1', factorType: 'email', provider: 'OKTA', status: 'ACTIVE', profile: {} }]);
    const resetAt = Math.ceil(Date.now() / 1000) + 30;
    server.handle('resetFactors', () => ({ status: 429, headers: { 'x-rate-limit-reset': String(resetAt) }, body: { errorCode: 'E0000047' } }));
    await assert.rejects(run('limited', '00u-carol'), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'containment.rate_limited');
      assert.equal(error.nonRetryable, false);
      assert.ok(typeof error.nextRetryDelay === 'number' && error.nextRetryDelay > 20_000 && error.nextRetryDelay <= 31_000, String(error.nextRetryDelay));
      return true;
    });
    await assert.rejects(run('ghost', '00u-ghost'), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'containment.target_not_found');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /user 00u-ghost not found at okta/);
      return true;
    });
  });

  it('plans the list and the reset it would send, sending nothing', () => {
    const plan = provider.plan.resetFactors!('00u-dave');
    assert.deepEqual(
      plan.map((call) => call.operation),
      [`GET ${server.url}/api/v1/users/00u-dave/factors`, `POST ${server.url}/api/v1/users/00u-dave/lifecycle/reset_factors`],
    );
    assert.equal(JSON.stringify(plan).includes(TOKEN), false);
    assert.equal(server.requests.length, 0);
  });

  it('fails at once, before any request, on an identity provider without a factor reset (Entra here)', async () => {
    const entra = entraProvider({ graphUrl: `${server.url}/v1.0`, token: staticToken('Bearer', () => new Secret(TOKEN)), secrets: () => [TOKEN] }) as IdentityProvider<UserState>;
    activities = createVendorContainmentActivities({ evidence: { store: async () => store }, identity: entra });
    await assert.rejects(run('entra-reset', 'alice@example.com'), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'containment.not_configured');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /identity\.reset-factors: entra has no factor reset through Firebreak/);
      return true;
    });
    assert.equal(server.requests.length, 0);
  });

  it('cannot be compensated: a runbook asking to undo it does not load', () => {
    const text = 'id: t\nversion: 1\ntitle: T\nsteps:\n  - id: reset\n    action: identity.reset-factors\n    with: { user: "{{alert.labels.user}}" }\n    compensate: true\n';
    const result = loadRunbookText(text, 't.yaml');
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : result.issues.map((i) => `${i.code}@${i.path.join('.')}`), ['step.no_undo@steps.0.compensate']);
  });
});
