import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createContainmentActivities } from '../../activities/containment/adapters';
import { EvidenceStore } from '../../evidence';
import { ConfigError, loadConfig } from '../../worker/config';
import { containmentFromConfig } from '../../worker/http-endpoints';
import { loadApiDescription, startValidatingServer } from '../helpers/openapi-validating-server';
import { tempDir } from '../helpers/temporal';
import { sentineloneFake } from '../activities/containment/edr-fakes';

const configFrom = (yaml: string, env: NodeJS.ProcessEnv = {}) => {
  const file = path.join(tempDir('vendors-config'), 'firebreak.yaml');
  writeFileSync(file, yaml);
  return loadConfig({ ...env, FIREBREAK_CONFIG: file });
};

const problemsOf = (fn: () => unknown): readonly string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  assert.fail('expected a ConfigError');
};

describe('containment vendors in configuration', () => {
  it('names a vendor chosen for an area without its settings', () => {
    const config = configFrom('containment:\n  host: crowdstrike\n  network: cloudflare\n');
    const problems = problemsOf(() => containmentFromConfig(config, {}));
    assert.deepEqual(problems.map((p) => p.split(':')[0]), ['containment.host', 'containment.network']);
  });

  it('refuses Cloudflare settings naming both an account and a zone, and plain secrets', () => {
    const problems = problemsOf(() => configFrom(`vendors:\n  cloudflare:\n    apiToken: env:CF_TOKEN\n    accountId: ${'a'.repeat(32)}\n    zoneId: ${'b'.repeat(32)}\n`));
    assert.ok(problems.some((p) => p.includes('vendors.cloudflare.accountId: name exactly one')), problems.join('\n'));
    const config = configFrom('containment:\n  host: sentinelone\nvendors:\n  sentinelone:\n    url: https://usea1.sentinelone.net\n    apiToken: s3cr3t-in-the-file\n');
    assert.throws(() => containmentFromConfig(config, {}), /vendors\.sentinelone\.apiToken: secrets in a config file must be references/);
  });

  it('sends host.isolate to the EDR that containment.host names', async () => {
    const server = await startValidatingServer(loadApiDescription(path.join(__dirname, '..', 'fixtures', 'vendor-apis', 'sentinelone', 'agents.openapi.json')));
    try {
      const hosts = [{ id: '225494730938493804', hostname: 'wks-042', isolated: false }];
      sentineloneFake(server, hosts);
      // The validating server speaks plain HTTP on loopback; the config schema takes any http(s) URL for such a test.
      const config = configFrom(`containment:\n  host: sentinelone\nvendors:\n  sentinelone:\n    url: ${server.url}\n    apiToken: env:S1_TOKEN\n`);
      process.env.S1_TOKEN = 'sentinelone-service-user-token';
      const store = await EvidenceStore.open(tempDir('vendors-evidence'));
      const activities = createContainmentActivities(containmentFromConfig(config, {}, { store: async () => store }));
      await new MockActivityEnvironment().run(activities['host.isolate'], { key: 'incident/generic/1/isolate', incidentId: 'incident/generic/1', stepId: 'isolate', input: { host: 'wks-042' } });
      assert.equal(hosts[0]!.isolated, true);
      assert.equal(server.requests.at(-1)?.headers.authorization, 'ApiToken sentinelone-service-user-token');
      server.assertNoRefusals();
    } finally {
      delete process.env.S1_TOKEN;
      await server.stop();
    }
  });

  it('refuses a Cloudflare custom list at zone level or with a name Cloudflare would refuse', () => {
    const zone = problemsOf(() => configFrom(`vendors:\n  cloudflare:\n    apiToken: env:CF_TOKEN\n    zoneId: ${'b'.repeat(32)}\n    list: { name: firebreak_blocked }\n`));
    assert.ok(zone.some((p) => p.includes('vendors.cloudflare.list: custom lists belong to an account')), zone.join('\n'));
    const name = problemsOf(() => configFrom(`vendors:\n  cloudflare:\n    apiToken: env:CF_TOKEN\n    accountId: ${'a'.repeat(32)}\n    list: { name: firebreak-blocked }\n`));
    assert.ok(name.some((p) => p.includes('vendors.cloudflare.list')), name.join('\n'));
  });

  it('sends network.block-ip to the Cloudflare custom list that vendors.cloudflare.list names', async () => {
    const server = await startValidatingServer(loadApiDescription(path.join(__dirname, '..', 'fixtures', 'vendor-apis', 'cloudflare', 'lists.openapi.json')));
    try {
      const added: unknown[] = [];
      const lists: { id: string; name: string; kind: string }[] = [];
      server.handle('lists-get-lists', () => ({ status: 200, body: { success: true, errors: [], messages: [], result: lists } }));
      server.handle('lists-create-a-list', () => {
        lists.push({ id: 'c'.repeat(32), name: 'firebreak_blocked', kind: 'ip' });
        return { status: 200, body: { success: true, errors: [], messages: [], result: lists[0] } };
      });
      server.handle('lists-get-list-items', () => ({ status: 200, body: { success: true, errors: [], messages: [], result: added } }));
      server.handle('lists-create-list-items', (req) => {
        added.push(...(req.body as { ip: string }[]).map((item) => ({ id: 'd'.repeat(32), ...item })));
        return { status: 200, body: { success: true, errors: [], messages: [], result: { operation_id: 'op-1' } } };
      });
      server.handle('lists-get-bulk-operation-status', () => ({ status: 200, body: { success: true, errors: [], messages: [], result: { id: 'op-1', status: 'completed' } } }));
      const config = configFrom(`containment:\n  network: cloudflare\nvendors:\n  cloudflare:\n    apiToken: env:CF_TOKEN\n    accountId: ${'a'.repeat(32)}\n    list: { name: firebreak_blocked }\n    baseUrl: ${server.url}\n`);
      process.env.CF_TOKEN = 'cloudflare-api-token';
      const store = await EvidenceStore.open(tempDir('vendors-evidence'));
      const activities = createContainmentActivities(containmentFromConfig(config, {}, { store: async () => store }));
      await new MockActivityEnvironment().run(activities['network.block-ip'], { key: 'incident/generic/2/block', incidentId: 'incident/generic/2', stepId: 'block', input: { ip: '203.0.113.7', reason: 'drill' } });
      assert.deepEqual(server.requests.map((r) => r.operationId), ['lists-get-lists', 'lists-get-lists', 'lists-create-a-list', 'lists-create-list-items', 'lists-get-bulk-operation-status', 'lists-get-lists', 'lists-get-list-items']);
      assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer cloudflare-api-token');
      server.assertNoRefusals();
    } finally {
      delete process.env.CF_TOKEN;
      await server.stop();
    }
  });
});
