import type { V1LabelSelector } from '@kubernetes/client-node';
import type { Cluster } from './cluster';
import { must } from './cluster';

export type WorkloadKind = 'pod' | 'deployment' | 'statefulset' | 'daemonset';

export interface WorkloadRef {
  namespace: string;
  kind?: string;
  name: string;
}

export interface WorkloadObject {
  kind: WorkloadKind;
  labels: Record<string, string>;
  /** The controller's pod selector; undefined for a pod. */
  selector?: V1LabelSelector;
}

export const KINDS: readonly WorkloadKind[] = ['pod', 'deployment', 'statefulset', 'daemonset'];

export function kindOf(ref: WorkloadRef): WorkloadKind {
  const kind = (ref.kind ?? 'pod').toLowerCase();
  if (!(KINDS as readonly string[]).includes(kind)) throw new Error(`unknown workload kind ${ref.kind}`);
  return kind as WorkloadKind;
}

export const describe = (ref: WorkloadRef): string => `${kindOf(ref)} ${ref.namespace}/${ref.name}`;

/** A label selector in the query-string form the API server takes (`app=web,tier in (a,b),!canary`). */
export function selectorString(selector: V1LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const requirement of selector.matchExpressions ?? []) {
    const values = (requirement.values ?? []).join(',');
    if (requirement.operator === 'In') parts.push(`${requirement.key} in (${values})`);
    else if (requirement.operator === 'NotIn') parts.push(`${requirement.key} notin (${values})`);
    else if (requirement.operator === 'Exists') parts.push(requirement.key);
    else if (requirement.operator === 'DoesNotExist') parts.push(`!${requirement.key}`);
  }
  return parts.join(',');
}

/** Reads the workload object: its labels, and which pods it covers. */
export async function readWorkload(cluster: Cluster, ref: WorkloadRef): Promise<WorkloadObject> {
  const kind = kindOf(ref);
  const target = describe(ref);
  const params = { name: ref.name, namespace: ref.namespace };
  if (kind === 'pod') {
    const pod = await must(`get ${target}`, target, () => cluster.core.readNamespacedPod(params));
    return { kind, labels: pod.metadata?.labels ?? {} };
  }
  const read =
    kind === 'deployment'
      ? () => cluster.apps.readNamespacedDeployment(params)
      : kind === 'statefulset'
        ? () => cluster.apps.readNamespacedStatefulSet(params)
        : () => cluster.apps.readNamespacedDaemonSet(params);
  const object = await must(`get ${target}`, target, read);
  return { kind, labels: object.metadata?.labels ?? {}, selector: object.spec?.selector ?? {} };
}

/** Merge-patches one label on the workload object (`null` removes it); the pod template is never touched. */
export async function patchWorkloadLabel(cluster: Cluster, ref: WorkloadRef, key: string, value: string | null, options: Parameters<Cluster['core']['patchNamespacedPod']>[1]): Promise<void> {
  const kind = kindOf(ref);
  const target = describe(ref);
  const request = { name: ref.name, namespace: ref.namespace, body: { metadata: { labels: { [key]: value } } } };
  const patch: () => Promise<unknown> =
    kind === 'pod'
      ? () => cluster.core.patchNamespacedPod(request, options)
      : kind === 'deployment'
        ? () => cluster.apps.patchNamespacedDeployment(request, options)
        : kind === 'statefulset'
          ? () => cluster.apps.patchNamespacedStatefulSet(request, options)
          : () => cluster.apps.patchNamespacedDaemonSet(request, options);
  await must(`label ${target}`, target, patch);
}

/** The names of the pods a workload runs now. */
export async function podsOf(cluster: Cluster, ref: WorkloadRef, workload: WorkloadObject): Promise<string[]> {
  const selector = workload.selector;
  if (!selector) return [ref.name];
  const target = describe(ref);
  const list = await must(`list pods of ${target}`, target, () => cluster.core.listNamespacedPod({ namespace: ref.namespace, labelSelector: selectorString(selector) }));
  return list.items.map((pod) => pod.metadata?.name ?? '').filter(Boolean).sort();
}
