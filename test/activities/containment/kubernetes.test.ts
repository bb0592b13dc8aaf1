import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { connect } from '../../../activities/containment/kubernetes/cluster';
import { createCollectLogs } from '../../../activities/containment/kubernetes/collect-logs';
import { kubernetesCordon } from '../../../activities/containment/kubernetes/cordon';
import { kubernetesDeletePod } from '../../../activities/containment/kubernetes/delete-pod';
import { QUARANTINE_LABEL, type QuarantineState, kubernetesQuarantine } from '../../../activities/containment/kubernetes/quarantine';
import { type ContainmentOutcome, forwardActivity, undoActivity } from '../../../activities/containment/vendor-kit/action';
import { EvidenceStore } from '../../../evidence';
import type { ActionRequest } from '../../../workflows/runbook-interpreter/steps/action';
import { startValidatingServer, type ValidatingServer } from '../../helpers/openapi-validating-server';
import { kubeconfigFor, kubernetesDescription, kubernetesFake } from './kubernetes-fake';

const INCIDENT = 'incident/generic/c0ffee';
const request = (stepId: string, input: Record<string, unknown>, suffix = ''): ActionRequest => ({ key: `${INCIDENT}/${stepId}${suffix}`, incidentId: INCIDENT, stepId, input });
const run = <T>(fn: (r: ActionRequest) => Promise<T>, r: ActionRequest) => new MockActivityEnvironment().run(fn, r) as Promise<T>;

describe('Kubernetes containment', () => {
  let server: ValidatingServer;
  let fake: ReturnType<typeof kubernetesFake>;
  let dir: string;
  let store: EvidenceStore;
  beforeEach(async () => {
    server = await startValidatingServer(kubernetesDescription(), { lazy: true });
    fake = kubernetesFake(server);
    dir = mkdtempSync(path.join(tmpdir(), 'k8s-evidence-'));
    store = await EvidenceStore.open(dir);
  });
  afterEach(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    server.assertNoRefusals();
  });
  const deps = () => ({ store: async () => store });
  const cluster = () => connect({ kubeconfig: () => ({ reveal: () => kubeconfigFor(server.url) }) });

  it('quarantines a pod with a label and a deny-all NetworkPolicy, and the undo removes both', async () => {
    fake.addPod('shop', 'web-7d9f', { app: 'web' }, { app: 'GET /cart 200\n' });
    const action = kubernetesQuarantine(cluster);
    const input = { namespace: 'shop', name: 'web-7d9f', reason: 'cryptominer' };
    const forward = await run<ContainmentOutcome<QuarantineState>>(forwardActivity(action, deps()), request('quarantine', input));
    const pod = fake.pods.get('shop/web-7d9f')!;
    const label = pod.metadata.labels![QUARANTINE_LABEL];
    assert.ok(label, 'the pod carries the quarantine label');
    const [policy] = [...fake.policies.values()];
    assert.deepEqual(policy!.spec, { podSelector: { matchLabels: { [QUARANTINE_LABEL]: label } }, policyTypes: ['Ingress', 'Egress'] }, 'deny all ingress and egress of that pod');
    assert.equal(forward.before.state.label, null);
    assert.ok(fake.patchContentTypes.every((t) => t === 'application/merge-patch+json'));

    const undone = await run<ContainmentOutcome<QuarantineState>>(undoActivity(action, 'workload.release', deps()), request('quarantine', input, '/undo'));
    assert.equal(fake.policies.size, 0);
    assert.deepEqual(fake.pods.get('shop/web-7d9f')!.metadata.labels, { app: 'web' });
    assert.equal(undone.restoredToRecorded, true);
  });

  it("fences a deployment's pods through the deployment's own selector without touching its pod template", async () => {
    fake.addDeployment('shop', 'api', { app: 'api' });
    fake.addPod('shop', 'api-1', { app: 'api' }, { api: '' });
    fake.addPod('shop', 'api-2', { app: 'api' }, { api: '' });
    fake.addPod('shop', 'web-1', { app: 'web' }, { web: '' });
    const template = JSON.stringify(fake.workloads.get('shop/api')!.spec);
    const action = kubernetesQuarantine(cluster);
    const input = { namespace: 'shop', kind: 'deployment', name: 'api' };
    await run(forwardActivity(action, deps()), request('quarantine', input));
    assert.deepEqual([...fake.policies.values()][0]!.spec!.podSelector, { matchLabels: { app: 'api' } });
    assert.ok(fake.pods.get('shop/api-1')!.metadata.labels![QUARANTINE_LABEL] && fake.pods.get('shop/api-2')!.metadata.labels![QUARANTINE_LABEL]);
    assert.equal(fake.pods.get('shop/web-1')!.metadata.labels![QUARANTINE_LABEL], undefined);
    assert.equal(JSON.stringify(fake.workloads.get('shop/api')!.spec), template, 'no rollout: the template is unchanged');
    await run(undoActivity(action, 'workload.release', deps()), request('quarantine', input, '/undo'));
    assert.equal(fake.policies.size, 0);
    assert.ok([...fake.pods.values()].every((p) => p.metadata.labels![QUARANTINE_LABEL] === undefined));
    assert.equal(fake.workloads.get('shop/api')!.metadata.labels![QUARANTINE_LABEL], undefined);
  });

  it('cordons a node and uncordons it, but leaves a node cordoned before the incident cordoned', async () => {
    fake.addNode('node-a');
    fake.addNode('node-b', true);
    const action = kubernetesCordon(cluster);
    for (const node of ['node-a', 'node-b']) {
      await run(forwardActivity(action, deps()), request(`cordon-${node}`, { node }));
      assert.equal(fake.nodes.get(`undefined/${node}`)!.spec!.unschedulable, true);
      await run(undoActivity(action, 'node.uncordon', deps()), request(`cordon-${node}`, { node }, '/undo'));
    }
    assert.equal(fake.nodes.get('undefined/node-a')!.spec!.unschedulable, undefined, 'node-a is schedulable again');
    assert.equal(fake.nodes.get('undefined/node-b')!.spec!.unschedulable, true, 'node-b stays as it was');
  });

  it("keeps every container's log (and a restarted one's previous log) and the workload's events as evidence", async () => {
    fake.addPod('shop', 'web-7d9f', { app: 'web' }, { app: 'GET /cart 200\n', sidecar: 'proxy up\n' }, { app: 'xmrig started\n' });
    fake.addEvent('shop', 'Pod', 'web-7d9f', 'BackOff', 'Back-off restarting failed container app');
    const collect = createCollectLogs(cluster, deps());
    const result = await run(collect, request('collect-logs', { namespace: 'shop', name: 'web-7d9f', tailLines: 500 }));
    assert.deepEqual(result.files.map((f) => f.name).sort(), ['shop.web-7d9f.app.log', 'shop.web-7d9f.app.previous.log', 'shop.web-7d9f.events.json', 'shop.web-7d9f.sidecar.log']);
    const previous = result.files.find((f) => f.name.endsWith('app.previous.log'))!;
    const bytes = readFileSync(path.join(dir, 'objects', previous.sha256.slice(0, 2), previous.sha256));
    assert.equal(bytes.toString(), 'xmrig started\n');
    const events = result.files.find((f) => f.name.endsWith('events.json'))!;
    assert.match(readFileSync(path.join(dir, 'objects', events.sha256.slice(0, 2), events.sha256), 'utf8'), /Back-off restarting failed container app/);
    const logRequest = server.requests.find((r) => r.operationId === 'readCoreV1NamespacedPodLog')!;
    assert.equal(logRequest.query.tailLines, '500');
    assert.equal(logRequest.headers.authorization, 'Bearer k8s-sa-token');
  });

  it('deletes a pod once, recording it first, and has no undo', async () => {
    fake.addPod('shop', 'web-7d9f', { app: 'web' }, { app: '' });
    const action = kubernetesDeletePod(cluster);
    const outcome = await run<ContainmentOutcome<{ uid: string | null }>>(forwardActivity(action, deps()), request('delete-pod', { namespace: 'shop', name: 'web-7d9f' }));
    assert.equal(outcome.before.state.uid, 'uid-web-7d9f');
    assert.equal(outcome.after.state.uid, null);
    assert.equal(fake.pods.size, 0);
    await run(forwardActivity(action, deps()), request('delete-pod', { namespace: 'shop', name: 'web-7d9f' }));
    assert.equal(server.requests.filter((r) => r.operationId === 'deleteCoreV1NamespacedPod').length, 1, 'a retry sends no second delete');
  });

  it('fails a workload that does not exist at once, naming it', async () => {
    await assert.rejects(run(forwardActivity(kubernetesQuarantine(cluster), deps()), request('quarantine', { namespace: 'shop', kind: 'deployment', name: 'ghost' })), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'containment.target_not_found');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /deployment shop\/ghost/);
      return true;
    });
  });
});
