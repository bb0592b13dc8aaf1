import { NodeInput } from '../../../runbooks/actions/workload';
import type { VendorAction } from '../vendor-kit/action';
import { type Cluster, mergePatch, must } from './cluster';

export type CordonInput = NodeInput;

export interface NodeState {
  node: string;
  unschedulable: boolean;
}

/**
 * `node.cordon`: marks a node unschedulable (what `kubectl cordon` does); the undo (`node.uncordon`) puts back the
 * recorded value, so a node that was already cordoned before the incident stays cordoned. Running pods stay.
 */
export function kubernetesCordon(cluster: () => Cluster): VendorAction<CordonInput, NodeState> {
  const setUnschedulable = async (input: CordonInput, current: NodeState, value: boolean) => {
    if (current.unschedulable === value) return;
    // null removes the field: an uncordoned node has no `unschedulable` at all.
    const body = { spec: { unschedulable: value ? true : null } };
    await must(`patch node ${input.node}`, `node ${input.node}`, () => cluster().core.patchNode({ name: input.node, body }, mergePatch));
  };
  return {
    vendor: 'kubernetes',
    name: 'node.cordon',
    input: NodeInput,
    target: (input) => `node ${input.node}`,
    async read(input) {
      const node = await must(`get node ${input.node}`, `node ${input.node}`, () => cluster().core.readNode({ name: input.node }));
      return { node: input.node, unschedulable: node.spec?.unschedulable === true };
    },
    run: (input, current) => setUnschedulable(input, current, true),
    restore: (input, recorded, current) => setUnschedulable(input, current, recorded?.unschedulable ?? false),
    plan: (input) => [{ vendor: 'kubernetes', operation: `PATCH node ${input.node} (merge patch)`, request: { spec: { unschedulable: true } }, when: 'only if it is schedulable' }],
    planRestore: (input) => [{ vendor: 'kubernetes', operation: `PATCH node ${input.node} (merge patch)`, request: { spec: { unschedulable: null } }, when: 'only if it was schedulable before the incident' }],
  };
}
