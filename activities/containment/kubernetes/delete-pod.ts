import { ApplicationFailure } from '@temporalio/activity';
import { DeletePodInput } from '../../../runbooks/actions/workload';
import { FailureType } from '../../../workflows/failure-types';
import type { VendorAction } from '../vendor-kit/action';
import { type Cluster, kube } from './cluster';

export type DeleteInput = DeletePodInput;

export interface PodPresence {
  pod: string;
  uid: string | null;
  phase: string | null;
  node: string | null;
}

/**
 * `workload.delete`: deletes one pod (a controller starts a fresh one). The pod as it was is recorded first; a pod
 * already gone is not an error (a retry after the delete went through). There is no undo: a deleted pod's memory and
 * local files are gone, which is why runbooks ask before this step.
 */
export function kubernetesDeletePod(cluster: () => Cluster): VendorAction<DeleteInput, PodPresence> {
  return {
    vendor: 'kubernetes',
    name: 'workload.delete',
    input: DeletePodInput,
    target: (input) => `pod ${input.namespace}/${input.name}`,
    async read(input) {
      const pod = await kube(`get pod ${input.namespace}/${input.name}`, `pod ${input.namespace}/${input.name}`, () => cluster().core.readNamespacedPod({ name: input.name, namespace: input.namespace }), [404]);
      return { pod: `${input.namespace}/${input.name}`, uid: pod?.metadata?.uid ?? null, phase: pod?.status?.phase ?? null, node: pod?.spec?.nodeName ?? null };
    },
    async run(input, current) {
      if (current.uid === null) return;
      await kube(`delete pod ${input.namespace}/${input.name}`, `pod ${input.namespace}/${input.name}`, () => cluster().core.deleteNamespacedPod({ name: input.name, namespace: input.namespace }), [404]);
    },
    restore() {
      throw ApplicationFailure.create({ type: FailureType.ActionInputInvalid, message: 'workload.delete cannot be undone', nonRetryable: true });
    },
    plan: (input) => [{ vendor: 'kubernetes', operation: `DELETE pod ${input.namespace}/${input.name}`, when: 'only if it exists' }],
    planRestore: () => [],
  };
}
