import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { type AddressRules, type CloudflareScope, cloudflareBlock } from '../../../activities/containment/cloudflare/ip-access-rules';
import { type ContainmentOutcome, forwardActivity, undoActivity } from '../../../activities/containment/vendor-kit/action';
import { createVendorHttp } from '../../../activities/containment/vendor-kit/vendor-http';
import { EvidenceStore } from '../../../evidence';
import type { ActionRequest } from '../../../workflows/runbook-interpreter/steps/action';
import { loadApiDescription, startValidatingServer, type ValidatingServer, type ValidatedRequest } from '../../helpers/openapi-validating-server';

const fixture = path.join(__dirname, '..', '..', 'fixtures', 'vendor-apis', 'cloudflare', 'ip-access-rules.openapi.json');
const INCIDENT = 'incident/generic/7d1e99';
const ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353';
const ZONE = '9f1839b6152d298aca64c4e906b6d074';

interface Rule {
  id: string;
  scope: string;
  mode: string;
  notes: string;
  configuration: { target: string; value: string };
}

/** Cloudflare's IP Access rules as the adapter sees them: per account or zone, listed by configuration. */
function cloudflareFake(server: ValidatingServer) {
  const rules: Rule[] = [];
  let next = 1;
  const scopeOf = (req: ValidatedRequest) => (req.params.account_identifier ? `account:${req.params.account_identifier}` : `zone:${req.params.zone_id}`);
  const list = (req: ValidatedRequest) => {
    const found = rules.filter((r) => r.scope === scopeOf(req) && (req.query['configuration.value'] === undefined || r.configuration.value === req.query['configuration.value']) && (req.query['configuration.target'] === undefined || r.configuration.target === req.query['configuration.target']));
    return { status: 200, body: { success: true, errors: [], messages: [], result: found.map(({ scope: _, ...rule }) => rule), result_info: { page: 1, per_page: 50, count: found.length, total_count: found.length } } };
  };
  const create = (req: ValidatedRequest) => {
    const body = req.body as Omit<Rule, 'id' | 'scope'>;
    const rule = { id: (next++).toString(16).padStart(32, '0'), scope: scopeOf(req), mode: body.mode, notes: body.notes ?? '', configuration: body.configuration };
    rules.push(rule);
    return { status: 200, body: { success: true, errors: [], messages: [], result: rule } };
  };
  const remove = (req: ValidatedRequest) => {
    const at = rules.findIndex((r) => r.id === req.params.identifier && r.scope === scopeOf(req));
    if (at < 0) return { status: 404, body: { success: false, errors: [{ code: 10001, message: 'not found' }] } };
    rules.splice(at, 1);
    return { status: 200, body: { success: true, errors: [], messages: [], result: { id: req.params.identifier } } };
  };
  server.handle('ip-access-rules-for-an-account-list-ip-access-rules', list);
  server.handle('ip-access-rules-for-a-zone-list-ip-access-rules', list);
  server.handle('ip-access-rules-for-an-account-create-an-ip-access-rule', create);
  server.handle('ip-access-rules-for-a-zone-create-an-ip-access-rule', create);
  server.handle('ip-access-rules-for-an-account-delete-an-ip-access-rule', remove);
  server.handle('ip-access-rules-for-a-zone-delete-an-ip-access-rule', remove);
  return rules;
}

const request = (ip: string, suffix = ''): ActionRequest => ({ key: `${INCIDENT}/block-top-source${suffix}`, incidentId: INCIDENT, stepId: 'block-top-source', input: { ip, reason: `DDoS on shop (${INCIDENT})`, ttl: '6h' } });
const run = <T>(fn: (r: ActionRequest) => Promise<T>, r: ActionRequest) => new MockActivityEnvironment().run(fn, r) as Promise<T>;

for (const scope of [{ account: ACCOUNT }, { zone: ZONE }] as CloudflareScope[]) {
  const level = 'account' in scope ? 'account' : 'zone';
  describe(`Cloudflare IP Access rules at ${level} level`, () => {
    let server: ValidatingServer;
    let rules: Rule[];
    let dir: string;
    let store: EvidenceStore;
    beforeEach(async () => {
      server = await startValidatingServer(loadApiDescription(fixture));
      rules = cloudflareFake(server);
      dir = mkdtempSync(path.join(tmpdir(), 'cf-evidence-'));
      store = await EvidenceStore.open(dir);
    });
    afterEach(async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
      server.assertNoRefusals();
    });
    const deps = () => ({ store: async () => store });
    const block = () => cloudflareBlock(createVendorHttp({ vendor: 'cloudflare', baseUrl: server.url, authorization: async () => 'Bearer cf-api-token' }), scope);

    it('blocks an address with one rule, and the undo deletes exactly that rule', async () => {
      rules.push({ id: 'f'.repeat(32), scope: 'account' in scope ? `account:${ACCOUNT}` : `zone:${ZONE}`, mode: 'challenge', notes: 'set by the web team', configuration: { target: 'ip', value: '203.0.113.7' } });
      const forward = await run<ContainmentOutcome<AddressRules>>(forwardActivity(block(), deps()), request('203.0.113.7'));
      const created = rules.filter((r) => r.mode === 'block');
      assert.equal(created.length, 1);
      assert.deepEqual(created[0]!.configuration, { target: 'ip', value: '203.0.113.7' });
      assert.match(created[0]!.notes, /^firebreak: DDoS on shop/);
      assert.deepEqual(forward.before.state.rules.map((r) => r.mode), ['challenge']);
      // A retry finds the block and creates nothing.
      await run(forwardActivity(block(), deps()), request('203.0.113.7'));
      assert.equal(rules.filter((r) => r.mode === 'block').length, 1);

      const undone = await run<ContainmentOutcome<AddressRules>>(undoActivity(block(), 'network.unblock-ip', deps()), request('203.0.113.7', '/undo'));
      assert.deepEqual(rules.map((r) => r.notes), ['set by the web team'], "the web team's rule stays");
      assert.equal(undone.restoredToRecorded, true);
    });

    it('blocks a /24 as an ip_range and refuses a prefix Cloudflare does not take', async () => {
      await run(forwardActivity(block(), deps()), request('198.51.100.0/24'));
      assert.deepEqual(rules[0]?.configuration, { target: 'ip_range', value: '198.51.100.0/24' });
      await assert.rejects(run(forwardActivity(block(), deps()), { ...request('198.51.100.0/20'), key: `${INCIDENT}/other` }), (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.type, 'action.invalid_input');
        assert.match(error.message, /\/16, \/24/);
        return true;
      });
    });

    it('blocks an IPv6 address as ip6 and finds it again by value', async () => {
      const forward = await run<ContainmentOutcome<AddressRules>>(forwardActivity(block(), deps()), request('2001:db8::cf'));
      assert.deepEqual(rules[0]?.configuration, { target: 'ip6', value: '2001:db8::cf' });
      assert.equal(forward.after.state.rules.length, 1);
    });

    it('leaves an address that was already blocked as it was, rule and all, after the undo', async () => {
      rules.push({ id: 'e'.repeat(32), scope: 'account' in scope ? `account:${ACCOUNT}` : `zone:${ZONE}`, mode: 'block', notes: 'firebreak: an earlier incident', configuration: { target: 'ip', value: '192.0.2.10' } });
      await run(forwardActivity(block(), deps()), request('192.0.2.10'));
      await run(undoActivity(block(), 'network.unblock-ip', deps()), request('192.0.2.10', '/undo'));
      assert.deepEqual(rules.map((r) => r.id), ['e'.repeat(32)]);
      assert.ok(!server.requests.some((r) => r.method === 'POST' || r.method === 'DELETE'));
    });
  });
}
