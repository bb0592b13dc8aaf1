import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { entraProvider } from '../../../activities/containment/identity/entra';
import { googleProvider } from '../../../activities/containment/identity/google';
import { oktaProvider } from '../../../activities/containment/identity/okta';
import type { IdentityProvider, UserState } from '../../../activities/containment/identity/provider';
import { clientCredentials, jwtBearer, privateKeyJwt, staticToken } from '../../../activities/containment/vendor-kit/oauth-token';
import { createVendorContainmentActivities } from '../../../activities/containment/vendors';
import { EvidenceStore } from '../../../evidence';
import { Secret } from '../../../shared/secret';
import type { ActionFn } from '../../../workflows/runbook-interpreter/steps/action';
import { FAKE_IDENTITY, type FakeIdentityVendor, IDENTITY_FIXTURES, fakeEntra, fakeGoogle, fakeOkta } from '../../helpers/identity-vendor-fakes';
import { type ValidatingServer, loadApiDescription, startValidatingServer } from '../../helpers/openapi-validating-server';

/*
 * Okta, Microsoft Entra ID (Graph) and Google Workspace cannot run here. Each adapter talks to a local server that
 * checks every request against the vendor's published API description (test/fixtures/vendor-apis) and refuses, and
 * fails the test for, anything that description would refuse; the handlers keep the users' state like the vendor.
 */

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const TOKEN_SECRET = `client-secret-${Date.now()}`;

interface Scenario {
  vendor: keyof typeof IDENTITY_FIXTURES;
  /** The vendor's state behind the validating server, and the adapter configured for it. */
  setup(server: ValidatingServer, tokens: { issued: number }): FakeIdentityVendor & { provider: IdentityProvider<UserState> };
}

const scenarios: Scenario[] = [
  {
    vendor: 'okta',
    setup(server, tokens) {
      const fake = fakeOkta(server, tokens, publicKey);
      const token = privateKeyJwt({ vendor: 'okta', tokenUrl: `${server.url}/oauth2/v1/token`, clientId: FAKE_IDENTITY.okta.clientId, privateKey: () => new Secret(privatePem), scope: FAKE_IDENTITY.okta.scope });
      return { ...fake, provider: oktaProvider({ orgUrl: server.url, token, secrets: () => [privatePem] }) as IdentityProvider<UserState> };
    },
  },
  {
    vendor: 'entra',
    setup(server, tokens) {
      const fake = fakeEntra(server, tokens, TOKEN_SECRET);
      const tokenUrl = `${server.url}/${FAKE_IDENTITY.entra.tenant}/oauth2/v2.0/token`;
      const token = clientCredentials({ vendor: 'entra', tokenUrl, clientId: FAKE_IDENTITY.entra.clientId, clientSecret: () => new Secret(TOKEN_SECRET), scope: FAKE_IDENTITY.entra.scope });
      return { ...fake, provider: entraProvider({ graphUrl: `${server.url}/v1.0`, token, secrets: () => [TOKEN_SECRET] }) as IdentityProvider<UserState> };
    },
  },
  {
    vendor: 'google',
    setup(server, tokens) {
      const fake = fakeGoogle(server, tokens, publicKey);
      const token = jwtBearer({
        vendor: 'google',
        tokenUrl: `${server.url}/token`,
        issuer: FAKE_IDENTITY.google.clientEmail,
        subject: FAKE_IDENTITY.google.adminEmail,
        privateKey: () => new Secret(privatePem),
        scopes: FAKE_IDENTITY.google.scope.split(' '),
      });
      return { ...fake, provider: googleProvider({ apiUrl: server.url, token, secrets: () => [privatePem] }) as IdentityProvider<UserState> };
    },
  },
];

for (const scenario of scenarios) {
  describe(`identity containment on ${scenario.vendor} (requests validated against its published API description)`, () => {
    let server: ValidatingServer;
    let vendor: ReturnType<Scenario['setup']>;
    let tokens: { issued: number };
    let dir: string;
    let activities: Record<string, ActionFn>;
    const incident = `inc-${scenario.vendor}-${Date.now().toString(36)}`;

    beforeEach(async () => {
      server = await startValidatingServer(loadApiDescription(IDENTITY_FIXTURES[scenario.vendor]), { validateResponses: true });
      tokens = { issued: 0 };
      vendor = scenario.setup(server, tokens);
      dir = mkdtempSync(path.join(tmpdir(), 'fb-idp-'));
      const store = await EvidenceStore.open(dir);
      activities = createVendorContainmentActivities({ evidence: { store: async () => store }, identity: vendor.provider });
    });
    afterEach(async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
      server.assertNoRefusals();
    });
    const run = (action: string, stepId: string, user: string, undo = false): Promise<Record<string, unknown>> =>
      new MockActivityEnvironment().run(activities[action]! as (r: unknown) => Promise<Record<string, unknown>>, { key: `${incident}/${stepId}${undo ? '/undo' : ''}`, incidentId: incident, stepId, input: { user } });

    it('suspends the user and ends its sessions; the undo re-enables it', async () => {
      vendor.add('alice@example.com', false);
      await run('identity.disable-user', 'disable-account', 'alice@example.com');
      assert.equal(vendor.disabled('alice@example.com'), true);
      assert.equal(vendor.sessionsRevoked('alice@example.com'), 1);
      const undone = await run('identity.enable-user', 'disable-account', 'alice@example.com', true);
      assert.equal(vendor.disabled('alice@example.com'), false);
      assert.equal(undone.restoredToRecorded, true);
      assert.equal(tokens.issued, 1, 'one token for every call until it expires');
    });

    it('is safe to retry, and keeps a user suspended before the incident suspended after the undo', async () => {
      vendor.add('bob@example.com', true);
      await run('identity.disable-user', 'disable-bob', 'bob@example.com');
      await run('identity.disable-user', 'disable-bob', 'bob@example.com');
      await run('identity.enable-user', 'disable-bob', 'bob@example.com', true);
      assert.equal(vendor.disabled('bob@example.com'), true);
    });

    it('fails a user the vendor does not know at once, naming the user', async () => {
      await assert.rejects(run('identity.disable-user', 'ghost', 'ghost@example.com'), (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.type, 'containment.target_not_found');
        assert.equal(error.nonRetryable, true);
        assert.match(error.message, /user ghost@example\.com not found at /);
        return true;
      });
    });

    it('retries a rate-limited call after the delay the vendor gave', async () => {
      vendor.add('carol@example.com', false);
      server.handle(vendor.getOperation, () => ({ status: 429, headers: { 'retry-after': '12' }, body: {} }));
      await assert.rejects(run('identity.disable-user', 'limited', 'carol@example.com'), (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.type, 'containment.rate_limited');
        assert.equal(error.nonRetryable, false);
        assert.equal(error.nextRetryDelay, 12_000);
        return true;
      });
    });

    it('plans the exact requests without sending any', () => {
      const plan = vendor.provider.plan.disable('dave@example.com').concat(vendor.provider.plan.revokeSessions('dave@example.com'));
      assert.ok(plan.every((call) => call.operation.startsWith('GET ') || call.operation.startsWith('POST ') || call.operation.startsWith('PUT ') || call.operation.startsWith('PATCH ') || call.operation.startsWith('DELETE ')));
      assert.ok(plan.some((call) => call.operation.includes('dave%40example.com')));
      assert.equal(JSON.stringify(plan).includes(TOKEN_SECRET), false);
      assert.equal(server.requests.length, 0);
    });
  });
}

describe('identity containment with an Okta API token', () => {
  it('sends the SSWS token the Okta description declares', async () => {
    const server = await startValidatingServer(loadApiDescription(IDENTITY_FIXTURES.okta), { validateResponses: true });
    try {
      server.handle('getUser', (r) => {
        assert.equal(r.headers.authorization, 'SSWS 00abc-token');
        return { status: 200, body: { id: '00u1', status: 'ACTIVE' } };
      });
      const provider = oktaProvider({ orgUrl: server.url, token: staticToken('SSWS', () => new Secret('00abc-token')), secrets: () => ['00abc-token'] });
      assert.deepEqual(await provider.read('00u1'), { id: '00u1', status: 'ACTIVE', disabled: false });
      server.assertNoRefusals();
    } finally {
      await server.stop();
    }
  });
});
