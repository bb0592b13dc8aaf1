import { createHash } from 'node:crypto';
import type { V1LabelSelector, V1NetworkPolicy } from '@kubernetes/client-node';
import { QuarantineInput } from '../../../runbooks/actions/workload';
import type { PlannedCall, VendorAction } from '../vendor-kit/action';
import { type Cluster, kube, mergePatch } from './cluster';
import { type WorkloadRef, describe, kindOf, patchWorkloadLabel, podsOf, readWorkload } from './workload';

export { QuarantineInput };

export const QUARANTINE_LABEL = 'firebreak.io/quarantine';
const MANAGED_BY = 'firebreak.io/managed-by';

/** What a quarantine changes, as it was: the label on the object and on each pod (null: absent), and the policy. */
export interface QuarantineState {
  workload: string;
  label: string | null;
  pods: Record<string, string | null>;
  policy: string | null;
}

/** One label value and policy name per workload, so quarantines of two workloads never share (or delete) each other's. */
export function quarantineId(ref: WorkloadRef): string {
  return createHash('sha256').update(`${ref.namespace}/${kindOf(ref)}/${ref.name}`).digest('hex').slice(0, 16);
}
const policyName = (ref: WorkloadRef) => `firebreak-quarantine-${quarantineId(ref)}`;

/** Deny all ingress and all egress of the selected pods: a policy with both types and no rules allows nothing. */
export function denyAllPolicy(ref: WorkloadRef, podSelector: V1LabelSelector, reason: string | undefined): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: policyName(ref),
      namespace: ref.namespace,
      labels: { [MANAGED_BY]: 'firebreak' },
      annotations: { 'firebreak.io/workload': describe(ref), ...(reason ? { 'firebreak.io/reason': reason } : {}) },
    },
    spec: { podSelector, policyTypes: ['Ingress', 'Egress'] },
  };
}

/**
 * `workload.quarantine`: labels the pod (or the controller and each pod it runs) and applies a deny-all NetworkPolicy
 * selecting it: the pod itself by the label, a controller's pods by the controller's own selector, so replicas it
 * starts later are fenced too. The pod template is never changed, so nothing restarts and memory stays as evidence.
 * The undo (`workload.release`) puts every label back to its recorded value and deletes the policy only if the step
 * created it. Needs the NetworkPolicy to be enforced by the cluster's network plugin (Calico, Cilium, ...).
 */
export function kubernetesQuarantine(cluster: () => Cluster): VendorAction<QuarantineInput, QuarantineState> {
  const read = async (input: QuarantineInput): Promise<QuarantineState> => {
    const c = cluster();
    const workload = await readWorkload(c, input);
    const pods: Record<string, string | null> = {};
    for (const pod of await podsOf(c, input, workload)) {
      const found = await kube(`get pod ${input.namespace}/${pod}`, `pod ${input.namespace}/${pod}`, () => c.core.readNamespacedPod({ name: pod, namespace: input.namespace }), [404]);
      if (found) pods[pod] = found.metadata?.labels?.[QUARANTINE_LABEL] ?? null;
    }
    const policy = await kube(`get networkpolicy ${policyName(input)}`, describe(input), () => c.networking.readNamespacedNetworkPolicy({ name: policyName(input), namespace: input.namespace }), [404]);
    return { workload: describe(input), label: workload.labels[QUARANTINE_LABEL] ?? null, pods, policy: policy ? policyName(input) : null };
  };

  const setLabels = async (c: Cluster, input: QuarantineInput, current: QuarantineState, want: (pod: string | null) => string | null) => {
    const value = want(null);
    if (current.label !== value) await patchWorkloadLabel(c, input, QUARANTINE_LABEL, value, mergePatch);
    if (kindOf(input) === 'pod') return;
    for (const [pod, label] of Object.entries(current.pods)) {
      const target = want(pod);
      if (label === target) continue;
      await kube(`label pod ${input.namespace}/${pod}`, `pod ${input.namespace}/${pod}`, () =>
        c.core.patchNamespacedPod({ name: pod, namespace: input.namespace, body: { metadata: { labels: { [QUARANTINE_LABEL]: target } } } }, mergePatch), [404]);
    }
  };

  return {
    vendor: 'kubernetes',
    name: 'workload.quarantine',
    input: QuarantineInput,
    target: (input) => describe(input),
    read,
    async run(input, current) {
      const c = cluster();
      const id = quarantineId(input);
      await setLabels(c, input, current, () => id);
      if (current.policy) return;
      const workload = await readWorkload(c, input);
      const podSelector = workload.selector ?? { matchLabels: { [QUARANTINE_LABEL]: id } };
      // 409: an earlier attempt created it; the policy is there, which is what this step wants.
      await kube(`create networkpolicy ${policyName(input)}`, describe(input), () =>
        c.networking.createNamespacedNetworkPolicy({ namespace: input.namespace, body: denyAllPolicy(input, podSelector, input.reason) }), [409]);
    },
    async restore(input, recorded, current) {
      const c = cluster();
      // Without a recorded state (a release step on its own), the quarantine's own label and policy are removed.
      await setLabels(c, input, current, (pod) => (pod === null ? (recorded?.label ?? null) : (recorded?.pods[pod] ?? null)));
      if (current.policy && !recorded?.policy) {
        await kube(`delete networkpolicy ${current.policy}`, describe(input), () => c.networking.deleteNamespacedNetworkPolicy({ name: current.policy!, namespace: input.namespace }), [404]);
      }
    },
    plan: (input): PlannedCall[] => [
      { vendor: 'kubernetes', operation: `label ${describe(input)}${kindOf(input) === 'pod' ? '' : ' and each pod it runs'}`, request: { [QUARANTINE_LABEL]: quarantineId(input) } },
      { vendor: 'kubernetes', operation: `create NetworkPolicy ${input.namespace}/${policyName(input)}`, request: denyAllPolicy(input, kindOf(input) === 'pod' ? { matchLabels: { [QUARANTINE_LABEL]: quarantineId(input) } } : { matchLabels: { '<the workload selector>': '' } }, input.reason), when: 'only if it does not exist' },
    ],
    planRestore: (input): PlannedCall[] => [
      { vendor: 'kubernetes', operation: `put the ${QUARANTINE_LABEL} labels of ${describe(input)} back as recorded` },
      { vendor: 'kubernetes', operation: `delete NetworkPolicy ${input.namespace}/${policyName(input)}`, when: 'only if the quarantine created it' },
    ],
  };
}

