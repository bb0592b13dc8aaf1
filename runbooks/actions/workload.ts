import { z } from 'zod';
import { defineAction, TemplateString, Text } from './define';

/** A Kubernetes name (RFC 1123 label or subdomain), or a template that renders to one. */
const KubeName = z.union([z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a Kubernetes name like web-7d9f or default').max(253), TemplateString]);
const WorkloadKind = z.union([z.enum(['pod', 'deployment', 'statefulset', 'daemonset']), TemplateString]);
const Workload = { namespace: KubeName, kind: WorkloadKind.optional(), name: KubeName };

export const QuarantineInput = z.strictObject({ ...Workload, reason: Text.optional() });
export type QuarantineInput = z.infer<typeof QuarantineInput>;
export const CollectLogsInput = z.strictObject({ ...Workload, tailLines: z.union([z.number().int().min(1).max(100_000), TemplateString]).optional() });
export type CollectLogsInput = z.infer<typeof CollectLogsInput>;
export const DeletePodInput = z.strictObject({ namespace: KubeName, name: KubeName, reason: Text.optional() });
export type DeletePodInput = z.infer<typeof DeletePodInput>;
export const NodeInput = z.strictObject({ node: KubeName, reason: Text.optional() });
export type NodeInput = z.infer<typeof NodeInput>;

export const workloadQuarantine = defineAction({
  name: 'workload.quarantine',
  description: 'Fence a Kubernetes pod or workload: label it and apply a deny-all NetworkPolicy (ingress and egress) that selects it.',
  input: QuarantineInput,
  undo: 'workload.release',
  disclosure: false,
});

export const workloadRelease = defineAction({
  name: 'workload.release',
  description: 'Remove the quarantine label and the NetworkPolicy a quarantine applied.',
  input: QuarantineInput,
  disclosure: false,
});

export const workloadCollectLogs = defineAction({
  name: 'workload.collect-logs',
  description: "Keep a workload's container logs and its Kubernetes events as evidence.",
  input: CollectLogsInput,
  disclosure: false,
});

export const workloadDelete = defineAction({
  name: 'workload.delete',
  description: 'Delete a pod (its controller, if any, starts a fresh one). Cannot be undone: gate it behind an approval.',
  input: DeletePodInput,
  disclosure: false,
});

export const nodeCordon = defineAction({
  name: 'node.cordon',
  description: 'Mark a Kubernetes node unschedulable so no new pods land on it.',
  input: NodeInput,
  undo: 'node.uncordon',
  disclosure: false,
});

export const nodeUncordon = defineAction({
  name: 'node.uncordon',
  description: 'Make a cordoned node schedulable again.',
  input: NodeInput,
  disclosure: false,
});

export const workloadActions = [workloadQuarantine, workloadRelease, workloadCollectLogs, workloadDelete, nodeCordon, nodeUncordon];
