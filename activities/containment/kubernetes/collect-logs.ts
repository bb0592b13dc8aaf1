import { log } from '@temporalio/activity';
import { CollectLogsInput } from '../../../runbooks/actions/workload';
import type { ActionRequest } from '../../../workflows/runbook-interpreter/steps/action';
import { parseInput } from '../vendor-kit/action';
import type { StateEvidenceDeps } from '../vendor-kit/state-evidence';
import { type Cluster, kube, must } from './cluster';
import { describe, podsOf, readWorkload } from './workload';


export interface CollectedFile {
  name: string;
  evidenceId: string;
  sha256: string;
  size: number;
}

const DEFAULT_TAIL_LINES = 10_000;
// The API server caps a log read too; this keeps one container's log a bounded evidence file.
const LIMIT_BYTES = 16 * 1024 * 1024;
const WORKER = { kind: 'system', id: 'firebreak-worker' } as const;

/**
 * `workload.collect-logs`: every container's log of the workload's pods (current and, where a container restarted,
 * the previous instance) and the Kubernetes events about the workload and its pods, each stored as evidence with
 * chain of custody. Evidence keys derive from the step, so a retried step stores each file once.
 */
export function createCollectLogs(cluster: () => Cluster, deps: StateEvidenceDeps) {
  return async (request: ActionRequest): Promise<{ workload: string; files: CollectedFile[] }> => {
    const input = parseInput({ name: 'workload.collect-logs', input: CollectLogsInput }, request);
    const c = cluster();
    const target = describe(input);
    const workload = await readWorkload(c, input);
    const pods = await podsOf(c, input, workload);
    const store = await deps.store();
    const files: CollectedFile[] = [];
    const keep = async (name: string, content: string, mediaType: string, source: string) => {
      const item = await store.put(Buffer.from(content), {
        key: `${request.key}/${name}`,
        incidentId: request.incidentId,
        name,
        mediaType,
        source,
        method: 'firebreak workload.collect-logs (Kubernetes API)',
        collectedBy: WORKER,
        stepId: request.stepId,
      });
      files.push({ name, evidenceId: item.evidenceId, sha256: item.sha256, size: item.size });
    };
    const tailLines = typeof input.tailLines === 'number' ? input.tailLines : DEFAULT_TAIL_LINES;
    for (const podName of pods) {
      const pod = await kube(`get pod ${input.namespace}/${podName}`, `pod ${input.namespace}/${podName}`, () => c.core.readNamespacedPod({ name: podName, namespace: input.namespace }), [404]);
      if (!pod) continue;
      const restarted = new Set((pod.status?.containerStatuses ?? []).filter((s) => (s.restartCount ?? 0) > 0).map((s) => s.name));
      for (const container of (pod.spec?.containers ?? []).map((spec) => spec.name)) {
        for (const previous of restarted.has(container) ? [false, true] : [false]) {
          const text = await must(`read log of ${input.namespace}/${podName}/${container}`, `pod ${input.namespace}/${podName}`, () =>
            c.core.readNamespacedPodLog({ name: podName, namespace: input.namespace, container, tailLines, limitBytes: LIMIT_BYTES, timestamps: true, previous }));
          await keep(`${input.namespace}.${podName}.${container}${previous ? '.previous' : ''}.log`, String(text ?? ''), 'text/plain', `k8s://${c.server}/api/v1/namespaces/${input.namespace}/pods/${podName}/log?container=${container}`);
        }
      }
    }
    const events = [];
    for (const name of [...new Set([input.name, ...pods])]) {
      const list = await must(`list events of ${input.namespace}/${name}`, target, () => c.core.listNamespacedEvent({ namespace: input.namespace, fieldSelector: `involvedObject.name=${name}` }));
      events.push(...list.items.map((event) => ({ object: `${event.involvedObject.kind}/${event.involvedObject.name}`, type: event.type, reason: event.reason, message: event.message, count: event.count, firstTimestamp: event.firstTimestamp, lastTimestamp: event.lastTimestamp })));
    }
    await keep(`${input.namespace}.${input.name}.events.json`, JSON.stringify(events, null, 2), 'application/json', `k8s://${c.server}/api/v1/namespaces/${input.namespace}/events`);
    log.info('workload logs collected', { incidentId: request.incidentId, stepId: request.stepId, workload: target, files: files.length });
    return { workload: target, files };
  };
}
