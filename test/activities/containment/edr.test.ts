import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { crowdstrikeHosts } from '../../../activities/containment/edr/crowdstrike';
import { defenderMachines } from '../../../activities/containment/edr/defender';
import { type EdrVendor, hostIsolation } from '../../../activities/containment/edr/host-isolation';
import { sentineloneAgents } from '../../../activities/containment/edr/sentinelone';
import { type ContainmentOutcome, forwardActivity, undoActivity } from '../../../activities/containment/vendor-kit/action';
import { clientCredentials } from '../../../activities/containment/vendor-kit/oauth-token';
import { createVendorHttp } from '../../../activities/containment/vendor-kit/vendor-http';
import { EvidenceStore } from '../../../evidence';
import type { ActionRequest } from '../../../workflows/runbook-interpreter/steps/action';
import { loadApiDescription, startValidatingServer, type ValidatingServer } from '../../helpers/openapi-validating-server';
import { type FakeHost, crowdstrikeFake, defenderFake, sentineloneFake } from './edr-fakes';

const fixture = (name: string) => path.join(__dirname, '..', '..', 'fixtures', 'vendor-apis', name);
const INCIDENT = 'incident/generic/0f4c2a';
const secret = (value: string) => () => ({ reveal: () => value });
const request = (host: string, suffix = ''): ActionRequest => ({ key: `${INCIDENT}/isolate-host${suffix}`, incidentId: INCIDENT, stepId: 'isolate-host', input: { host, reason: `Ransomware on ${host} (${INCIDENT})` } });
const run = <T>(fn: (r: ActionRequest) => Promise<T>, r: ActionRequest) => new MockActivityEnvironment().run(fn, r) as Promise<T>;

interface Vendor {
  name: string;
  fixture: string;
  /** Sets the fake up on the server and returns the adapter that talks to it. */
  setup(server: ValidatingServer, hosts: FakeHost[]): EdrVendor;
  hosts: () => FakeHost[];
}

const VENDORS: Vendor[] = [
  {
    name: 'CrowdStrike Falcon',
    fixture: 'crowdstrike/hosts.openapi.json',
    hosts: () => [
      { id: '5c0d6c7bd2e54e1c9f3a0b4c2d1e0f9a', hostname: 'wks-042', isolated: false },
      { id: '8a1b2c3d4e5f60718293a4b5c6d7e8f9', hostname: 'srv-db-01', isolated: true },
    ],
    setup(server, hosts) {
      crowdstrikeFake(server, hosts, { issued: 0 });
      const token = clientCredentials({ vendor: 'crowdstrike', tokenUrl: `${server.url}/oauth2/token`, clientId: 'cs-client', clientSecret: secret('cs-secret-value') });
      return crowdstrikeHosts(createVendorHttp({ vendor: 'crowdstrike', baseUrl: server.url, authorization: () => token.header(), onUnauthorized: () => token.invalidate() }));
    },
  },
  {
    name: 'Microsoft Defender for Endpoint',
    fixture: 'defender/machines.openapi.json',
    hosts: () => [
      { id: '1e5bc9d7e413ddd7902c2932e418702b84d0cc07', hostname: 'wks-042', isolated: false },
      { id: '7f3bc9d7e413ddd7902c2932e418702b84d0cc99', hostname: 'srv-db-01', isolated: true },
    ],
    setup(server, hosts) {
      const fake = defenderFake(server, hosts);
      for (const host of hosts) fake.seed(host);
      return defenderMachines(createVendorHttp({ vendor: 'defender', baseUrl: server.url, authorization: async () => 'Bearer mde-token' }));
    },
  },
  {
    name: 'SentinelOne',
    fixture: 'sentinelone/agents.openapi.json',
    hosts: () => [
      { id: '225494730938493804', hostname: 'wks-042', isolated: false },
      { id: '225494730938493915', hostname: 'srv-db-01', isolated: true },
    ],
    setup(server, hosts) {
      sentineloneFake(server, hosts);
      return sentineloneAgents(createVendorHttp({ vendor: 'sentinelone', baseUrl: server.url, authorization: async () => 'ApiToken s1-token' }));
    },
  },
];

for (const vendor of VENDORS) {
  describe(`host isolation: ${vendor.name}`, () => {
    let server: ValidatingServer;
    let hosts: FakeHost[];
    let edr: EdrVendor;
    let dir: string;
    let store: EvidenceStore;
    beforeEach(async () => {
      server = await startValidatingServer(loadApiDescription(fixture(vendor.fixture)));
      hosts = vendor.hosts();
      edr = vendor.setup(server, hosts);
      dir = mkdtempSync(path.join(tmpdir(), 'edr-evidence-'));
      store = await EvidenceStore.open(dir);
    });
    afterEach(async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
      server.assertNoRefusals();
    });
    const deps = () => ({ store: async () => store });

    it('isolates a connected host, records before and after, and the undo reconnects it to exactly that state', async () => {
      const action = hostIsolation(edr);
      const forward = await run<ContainmentOutcome<{ isolated: boolean }>>(forwardActivity(action, deps()), request('wks-042'));
      assert.equal(hosts[0]!.isolated, true, 'the console shows the host isolated');
      assert.equal(forward.before.state.isolated, false);
      assert.equal(forward.after.state.isolated, true);
      // A retry of the same step sends nothing more and reports the state its first attempt recorded.
      const sent = server.requests.length;
      const retried = await run<ContainmentOutcome<{ isolated: boolean }>>(forwardActivity(action, deps()), request('wks-042'));
      assert.equal(retried.before.state.isolated, false);
      assert.ok(server.requests.slice(sent).every((r) => r.method === 'GET'), 'a retry only reads');

      const undone = await run<ContainmentOutcome<{ isolated: boolean }>>(undoActivity(action, 'host.release', deps()), request('wks-042', '/undo'));
      assert.equal(hosts[0]!.isolated, false, 'the console shows the host connected again');
      assert.equal(undone.restoredToRecorded, true);
      assert.deepEqual(undone.after.state, forward.before.state);
      const names = (await store.listEvidence(INCIDENT)).map((item) => item.name).sort();
      assert.deepEqual(names, ['host.isolate.after.json', 'host.isolate.before.json', 'host.release.after.json', 'host.release.before.json']);
    });

    it('leaves a host that was isolated before the incident isolated after the undo', async () => {
      const action = hostIsolation(edr);
      await run(forwardActivity(action, deps()), request('srv-db-01'));
      const undone = await run<ContainmentOutcome<{ isolated: boolean }>>(undoActivity(action, 'host.release', deps()), request('srv-db-01', '/undo'));
      assert.equal(hosts[1]!.isolated, true);
      assert.equal(undone.restoredToRecorded, true);
      assert.ok(!server.requests.some((r) => r.method === 'POST'), 'no isolate or release was sent for it');
    });

    it('fails an unknown host at once, naming it, without retrying', async () => {
      await assert.rejects(run(forwardActivity(hostIsolation(edr), deps()), request('wks-999')), (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.type, 'containment.target_not_found');
        assert.equal(error.nonRetryable, true);
        assert.match(error.message, /wks-999/);
        return true;
      });
      assert.ok(hosts.every((h, i) => h.isolated === (i === 1)), 'nothing changed');
    });

    it('plans the requests it would send with the credentials redacted', () => {
      const planned = hostIsolation(edr).plan({ host: 'wks-042', reason: 'dry run' });
      assert.ok(planned.length >= 2);
      for (const call of planned) assert.equal(JSON.stringify(call).includes('token'), false, JSON.stringify(call));
      assert.equal(server.requests.length, 0, 'a plan sends nothing');
    });
  });
}
