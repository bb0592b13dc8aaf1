import { z } from 'zod';
import { Alert, Severity } from '../../runbooks/schema/alert';
import { PinnedRunbook } from '../../runbooks/schema/runbook';
import type { CarriedState } from './state';

/** Who did something: a person (API token, CLI, Slack), an alert source, or Firebreak itself. */
export const Actor = z.object({
  kind: z.enum(['person', 'source', 'system']),
  id: z.string().min(1).max(128),
  /** Organisation roles the person held when they acted, resolved by the authenticated ingress. */
  roles: z.array(z.string()).default([]),
});
export type Actor = z.infer<typeof Actor>;

export const IncidentInput = z.object({
  incidentId: z.string().min(1),
  title: z.string().min(1).max(500),
  severity: Severity,
  description: z.string().max(20_000).optional(),
  openedBy: Actor,
  openedAt: z.string().datetime({ offset: true }),
  pinned: PinnedRunbook,
  /** Child runbooks (`runbook` steps) resolved and pinned when the incident started, by runbook id. */
  children: z.record(z.string(), PinnedRunbook).default({}),
  /** False when no Slack workspace is configured: the incident then schedules no Slack mirror at all. */
  slackMirror: z.boolean().optional(),
  /** History length at which a waiting incident continues as new (Temporal terminates at 51,200 events). */
  historyEventLimit: z.number().int().min(50).max(40_000).optional(),
  /** What a previous run of this incident carried over when it continued as new; absent on the first run. */
  carried: z.custom<CarriedState>().optional(),
  /** The closed incident of the same fingerprint this one succeeds ("reopened as" on that one, "reopened from" here). */
  reopenedFrom: z.string().min(1).max(256).optional(),
  /** The alert that opened the incident, when an alert did. */
  alert: Alert.optional(),
  /** Config values runbook templates may read as `{{config.*}}` (addresses, never secrets). */
  config: z.object({ contacts: z.record(z.string(), z.string()) }),
});
export type IncidentInput = z.infer<typeof IncidentInput>;

export const DecisionRequest = z.object({
  stepId: z.string().min(1),
  decision: z.enum(['approve', 'reject']),
  reason: z.string().trim().min(1, 'a reason is required').max(4000),
  actor: Actor,
  at: z.string().datetime({ offset: true }),
  /** SHA-256 of the draft as the approver was shown it; an approval of a step with a draft must carry it. */
  draftSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** An incident commander deciding a step that belongs to another role (recorded as an override, with the reason). */
  override: z.boolean().optional(),
});
export type DecisionRequest = z.infer<typeof DecisionRequest>;

export const AnswerRequest = z.object({
  stepId: z.string().min(1),
  value: z.union([z.string(), z.number(), z.boolean()]),
  /** An incident commander answering for another role: recorded as an override and needs `reason`. */
  override: z.boolean().optional(),
  reason: z.string().trim().min(1).max(4000).optional(),
  /** For timestamp answers: when the person says it happened, may be earlier than `at`. */
  actor: Actor,
  at: z.string().datetime({ offset: true }),
});
export type AnswerRequest = z.infer<typeof AnswerRequest>;

/** A person ends a running deadline clock without a submission, e.g. "not notifiable: risk assessment attached". */
export const ClockStopRequest = z.object({
  clockId: z.string().min(1).max(128),
  reason: z.string().trim().min(1, 'a reason is required').max(4000),
  actor: Actor,
  at: z.string().datetime({ offset: true }),
});
export type ClockStopRequest = z.infer<typeof ClockStopRequest>;

export const AbortRequest = z.object({ reason: z.string().trim().min(1).max(4000), actor: Actor, at: z.string().datetime({ offset: true }) });
export type AbortRequest = z.infer<typeof AbortRequest>;

export const StepResolution = z.object({
  stepId: z.string().min(1),
  choice: z.enum(['retry', 'continue', 'abort']),
  reason: z.string().trim().min(1).max(4000),
  actor: Actor,
  at: z.string().datetime({ offset: true }),
});
export type StepResolution = z.infer<typeof StepResolution>;

/** Run another runbook in an incident already under way, beside its main runbook; the ingress resolves and pins it. */
export const RunRunbookRequest = z.object({
  pinned: PinnedRunbook,
  /** Child runbooks (`runbook` steps) of the added runbook, pinned with it, by runbook id. */
  children: z.record(z.string(), PinnedRunbook).default({}),
  actor: Actor,
  at: z.string().datetime({ offset: true }),
  reason: z.string().trim().min(1).max(4000).optional(),
});
export type RunRunbookRequest = z.infer<typeof RunRunbookRequest>;
