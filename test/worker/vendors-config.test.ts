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
});
