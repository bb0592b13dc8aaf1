import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { QUARANTINE_LABEL } from '../../activities/containment/kubernetes/quarantine';
import { FirebreakUnderTest, type Person, stepState } from '../helpers/firebreak';
import { loadApiDescription, startValidatingServer, type ValidatingServer } from '../helpers/openapi-validating-server';
import { tempDir } from '../helpers/temporal';
import { type FakeHost, crowdstrikeFake } from '../activities/containment/edr-fakes';
import { kubeconfigFor, kubernetesDescription, kubernetesFake } from '../activities/containment/kubernetes-fake';

/*
 * The shipped runbooks on the vendors config names, end to end: an alert starts ransomware-host, which isolates the
 * host at CrowdStrike and blocks the C2 address at Cloudflare; compromised-workload fences a pod and cordons its node
 * in Kubernetes. Each incident is aborted, and what each vendor shows afterwards is read back and compared with what
 * it showed before the alert. Every request is validated against the vendor's published API description.
 */

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', 'vendor-apis', name);
const ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353';
const PEOPLE: Person[] = [{ id: 'carol', roles: ['security-oncall'] }];

describe('shipped runbooks contain on CrowdStrike, Cloudflare and Kubernetes, and an abort restores what was there', function () {
  this.timeout(180_000);
  let fb: FirebreakUnderTest;
  let crowdstrike: ValidatingServer;
  let cloudflare: ValidatingServer;
  let kubernetes: ValidatingServer;
  let hosts: FakeHost[];
  let rules: { id: string; mode: string; notes: string; configuration: { target: string; value: string } }[];
  let cluster: ReturnType<typeof kubernetesFake>;

  before(async () => {
    crowdstrike = await startValidatingServer(loadApiDescription(fixture('crowdstrike/hosts.openapi.json')));
    hosts = [{ id: '5c0d6c7bd2e54e1c9f3a0b4c2d1e0f9a', hostname: 'wks-042', isolated: false }];
    crowdstrikeFake(crowdstrike, hosts, { issued: 0 });

    cloudflare = await startValidatingServer(loadApiDescription(fixture('cloudflare/ip-access-rules.openapi.json')));
    rules = [];
    cloudflare.handle('ip-access-rules-for-an-account-list-ip-access-rules', (req) => ({ status: 200, body: { success: true, errors: [], messages: [], result: rules.filter((r) => r.configuration.value === req.query['configuration.value']) } }));
    cloudflare.handle('ip-access-rules-for-an-account-create-an-ip-access-rule', (req) => {
      const rule = { id: String(rules.length + 1).padStart(32, '0'), ...(req.body as { mode: string; notes: string; configuration: { target: string; value: string } }) };
      rules.push(rule);
      return { status: 200, body: { success: true, errors: [], messages: [], result: rule } };
    });
    cloudflare.handle('ip-access-rules-for-an-account-delete-an-ip-access-rule', (req) => {
      rules.splice(rules.findIndex((r) => r.id === req.params.identifier), 1);
      return { status: 200, body: { success: true, errors: [], messages: [], result: { id: req.params.identifier } } };
    });

    kubernetes = await startValidatingServer(kubernetesDescription(), { lazy: true });
    cluster = kubernetesFake(kubernetes);
    cluster.addPod('shop', 'web-7d9f', { app: 'web' }, { app: 'GET /cart 200\nxmrig: mining started\n' });
    cluster.addNode('node-a');

    const dataDir = tempDir('endpoint-containment');
    const kubeconfig = path.join(dataDir, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, kubeconfigFor(kubernetes.url, 'sa-token-firebreak'), { mode: 0o600 });
    process.env.FB_TEST_CS_SECRET = 'cs-secret-value';
    process.env.FB_TEST_CF_TOKEN = 'cf-api-token-value';
    fb = await FirebreakUnderTest.start({
      dataDir,
      people: PEOPLE,
      config: {
        containment: { host: 'crowdstrike', network: 'cloudflare' },
        // What ransomware-host requires besides containment (requires.config); its steps that use them are not reached here.
        endpoints: { edr: { url: crowdstrike.url, secrets: { 'edr-api-token': 'env:FB_TEST_CS_SECRET' } } },
        contacts: Object.fromEntries(['security', 'it-helpdesk', 'nydfs-filer', 'sec-counsel', 'dpo', 'lead-sa', 'customer-comms', 'privacy-office', 'press-office'].map((c) => [c, `${c}@example.com`])),
        vendors: {
          crowdstrike: { baseUrl: crowdstrike.url, clientId: 'cs-client', clientSecret: 'env:FB_TEST_CS_SECRET' },
          cloudflare: { baseUrl: cloudflare.url, apiToken: 'env:FB_TEST_CF_TOKEN', accountId: ACCOUNT },
          kubernetes: { kubeconfig: `file:${kubeconfig}` },
        },
      },
    });
  });
  after(async () => {
    await fb?.stop();
    for (const server of [crowdstrike, cloudflare, kubernetes]) await server?.stop();
    delete process.env.FB_TEST_CS_SECRET;
    delete process.env.FB_TEST_CF_TOKEN;
  });
  afterEach(() => {
    for (const server of [crowdstrike, cloudflare, kubernetes]) server.assertNoRefusals();
  });

  const start = async (alert: unknown) => {
    const sent = await fb.sendAlert(alert);
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const [incident] = sent.body.incidents as { incidentId: string; runbook: string }[];
    return incident!.incidentId;
  };

  it('ransomware-host: isolates at CrowdStrike and blocks the C2 at Cloudflare; the abort releases the host and deletes exactly its rule', async () => {
    const before = { host: structuredClone(hosts), rules: structuredClone(rules) };
    const id = await start({ title: 'Ransom note and mass encryption on wks-042', severity: 'critical', fingerprint: `ransom-${Date.now()}`, labels: { category: 'ransomware', host: 'wks-042', c2_ip: '198.51.100.77' } });
    const running = await fb.until(id, 'contained and asking about spread', (s) => stepState(s, 'spread') === 'waiting');
    assert.equal(stepState(running, 'isolate-host'), 'done');
    assert.equal(hosts[0]!.isolated, true, 'CrowdStrike shows the host contained');
    assert.deepEqual(rules.map((r) => [r.mode, r.configuration.value]), [['block', '198.51.100.77']]);
    assert.match(rules[0]!.notes, new RegExp(`Firebreak ${id.replace(/[/]/g, '\\/')}`), 'the rule names the incident');
    assert.ok(running.timeline.some((t) => t.event === 'step.expiry_armed' && t.stepId === 'block-c2'), 'the 30-day block has its lift armed');

    const aborted = await fb.api('POST', `/v1/incidents/${id}/abort`, { reason: 'drill over' }, 'token-carol');
    assert.equal(aborted.status, 200, JSON.stringify(aborted.body));
    const done = await fb.until(id, 'aborted and undone', (s) => s.phase === 'aborted' && s.timeline.some((t) => t.event === 'incident.aborted'));
    assert.deepEqual(['isolate-host', 'block-c2'].map((step) => stepState(done, step)), ['compensated', 'compensated']);
    assert.ok(done.timeline.some((t) => t.event === 'step.expiry_cancelled' && t.stepId === 'block-c2'), 'the abort cancelled the lift before undoing');
    assert.equal(cloudflare.requests.filter((r) => r.method === 'DELETE').length, 1, 'the rule was deleted once');
    assert.deepEqual({ host: hosts, rules }, before, 'CrowdStrike and Cloudflare read back exactly as before the alert');
    assert.equal(crowdstrike.requests.filter((r) => r.operationId === 'PerformActionV2').map((r) => r.query.action_name).join(','), 'contain,lift_containment');
  });

  it('compromised-workload: fences the pod and cordons its node, keeps its logs; the abort takes label, policy and cordon back', async () => {
    const podBefore = structuredClone(cluster.pods.get('shop/web-7d9f')!.metadata.labels);
    const id = await start({ title: 'Cryptominer started in shop/web-7d9f', severity: 'high', fingerprint: `miner-${Date.now()}`, labels: { category: 'compromised-workload', namespace: 'shop', pod: 'web-7d9f', node: 'node-a' } });
    const running = await fb.until(id, 'fenced and asking about forensics', (s) => stepState(s, 'forensics-done') === 'waiting');
    assert.ok(cluster.pods.get('shop/web-7d9f')!.metadata.labels![QUARANTINE_LABEL]);
    assert.equal(cluster.policies.size, 1);
    assert.equal(cluster.nodes.get('undefined/node-a')!.spec!.unschedulable, true);
    const collected = (running.steps.find((s) => s.id === 'collect-logs') as unknown as { result?: { files: { name: string }[] } }).result;
    assert.deepEqual(collected?.files.map((f) => f.name).sort(), ['shop.web-7d9f.app.log', 'shop.web-7d9f.events.json']);

    const aborted = await fb.api('POST', `/v1/incidents/${id}/abort`, { reason: 'contained by hand' }, 'token-carol');
    assert.equal(aborted.status, 200, JSON.stringify(aborted.body));
    const done = await fb.until(id, 'aborted and undone', (s) => s.phase === 'aborted' && s.timeline.some((t) => t.event === 'incident.aborted'));
    assert.deepEqual(['quarantine-pod', 'cordon-node'].map((step) => stepState(done, step)), ['compensated', 'compensated']);
    assert.deepEqual(cluster.pods.get('shop/web-7d9f')!.metadata.labels, podBefore);
    assert.equal(cluster.policies.size, 0);
    assert.equal(cluster.nodes.get('undefined/node-a')!.spec!.unschedulable, undefined);
    assert.ok(cluster.pods.has('shop/web-7d9f'), 'nothing was deleted without the approval');
  });
});
