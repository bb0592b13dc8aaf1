import { z } from 'zod';

/*
 * The normalised step tree that a workflow interprets. Authors write the friendlier YAML form
 * (`action: evidence.capture`, `approval: {...}`); the loader turns each step into one of these,
 * discriminated by `kind`, so the interpreter branches on `kind` in exactly one place.
 */

export const StepId = z.string().regex(/^[a-z][a-z0-9-]*$/, 'step ids are kebab-case').max(64);
export type StepId = z.infer<typeof StepId>;

/** Temporal-style duration string: `90s`, `15m`, `12h`, `3d`. */
export const Duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'durations look like 90s, 15m, 12h or 3d');
export type Duration = z.infer<typeof Duration>;

export const FailurePolicy = z.enum(['abort', 'continue', 'escalate']);
export type FailurePolicy = z.infer<typeof FailurePolicy>;

export const RetryPolicy = z.object({
  maximumAttempts: z.number().int().min(1).max(100).default(5),
  initialInterval: Duration.default('1s'),
  maximumInterval: Duration.default('1m'),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

/** An action to undo a completed action (e.g. re-enable the account that was disabled). */
export const Compensation = z.object({
  action: z.string().min(1),
  with: z.record(z.string(), z.unknown()).default({}),
});
export type Compensation = z.infer<typeof Compensation>;

export const ActionStep = z.object({
  kind: z.literal('action'),
  id: StepId,
  title: z.string().optional(),
  action: z.string().min(1),
  /** Templated inputs: strings may contain `{{alert.labels.user}}`-style references. */
  with: z.record(z.string(), z.unknown()).default({}),
  timeout: Duration.default('5m'),
  retry: RetryPolicy.default({ maximumAttempts: 5, initialInterval: '1s', maximumInterval: '1m' }),
  onFailure: FailurePolicy.default('abort'),
  compensate: Compensation.optional(),
  /** Deadline clocks this step's completion stops (the notice that satisfies an obligation). */
  stops: z.array(z.string()).default([]),
});
export type ActionStep = z.infer<typeof ActionStep>;

export const ApprovalStep = z.object({
  kind: z.literal('approval'),
  id: StepId,
  title: z.string().optional(),
  /** A role declared in the runbook's `roles`. */
  role: z.string().min(1),
  /** Distinct approvers required; none of them may be the requester. */
  approvers: z.number().int().min(1).max(10).default(1),
  timeout: Duration.optional(),
  /** Role told when the timeout passes; the approval then keeps waiting. */
  escalate: z.string().optional(),
  /** Templated text the approvers see (and whose hash the approval binds to). */
  draft: z.string().optional(),
  /** Evidence names (as the notice template lists them) whose SHA-256 the approval binds to as well. */
  attachments: z.array(z.string().min(1)).min(1).optional(),
});
export type ApprovalStep = z.infer<typeof ApprovalStep>;

export const InputType = z.enum(['boolean', 'choice', 'text', 'number', 'timestamp']);
export type InputType = z.infer<typeof InputType>;

export const InputStep = z.object({
  kind: z.literal('input'),
  id: StepId,
  ask: z.string().min(1),
  type: InputType,
  choices: z.array(z.string().min(1)).optional(),
  role: z.string().min(1),
  timeout: Duration.optional(),
  escalate: z.string().optional(),
});
export type InputStep = z.infer<typeof InputStep>;

export const WaitStep = z.object({ kind: z.literal('wait'), id: StepId, duration: Duration });
export type WaitStep = z.infer<typeof WaitStep>;

export const ClockStep = z.object({
  kind: z.literal('clock'),
  id: StepId,
  start: z.array(z.string()).default([]),
  stop: z.array(z.string()).default([]),
  /** Template for the trigger time a person stated, e.g. `{{answers.aware-at}}`; default: now. */
  at: z.string().optional(),
  reason: z.string().optional(),
  /** Other anchor times the obligation's stages read (DORA: `awareness`), as templates. */
  anchors: z.record(z.string(), z.string()).optional(),
  /** Facts for the obligation's conditions by catalogue fact name, e.g. `individualsAffected: '{{answers.phi-people}}'`. */
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** When to remind: fractions of each stage's time used, and durations before it is due. Default 0.5, 0.75, 0.9 and 1h. */
  remind: z.object({ at: z.array(z.number().gt(0).lt(1)).optional(), before: z.array(Duration).optional() }).optional(),
  /** Who is told when a deadline is near (`whenLeft`, default 1h) and again when it is missed. Default role: incident-commander. */
  escalate: z.object({ to: z.string().min(1).optional(), whenLeft: Duration.optional() }).optional(),
});
export type ClockStep = z.infer<typeof ClockStep>;

export const ChildRunbookStep = z.object({ kind: z.literal('runbook'), id: StepId, runbook: z.string().min(1) });
export type ChildRunbookStep = z.infer<typeof ChildRunbookStep>;

export type SequenceStep = { kind: 'sequence'; id: string; steps: Step[] };
export type ParallelStep = { kind: 'parallel'; id: string; mode: 'all' | 'first'; branches: Step[][] };
export type WhenStep = { kind: 'when'; id: string; condition: string; steps: Step[]; otherwise: Step[] };

export type Step =
  | ActionStep
  | ApprovalStep
  | InputStep
  | WaitStep
  | ClockStep
  | ChildRunbookStep
  | SequenceStep
  | ParallelStep
  | WhenStep;

export const SequenceStep: z.ZodType<SequenceStep> = z.lazy(() =>
  z.object({ kind: z.literal('sequence'), id: StepId, steps: z.array(Step) }),
);
export const ParallelStep: z.ZodType<ParallelStep> = z.lazy(() =>
  z.object({ kind: z.literal('parallel'), id: StepId, mode: z.enum(['all', 'first']), branches: z.array(z.array(Step)).min(1) }),
);
export const WhenStep: z.ZodType<WhenStep> = z.lazy(() =>
  z.object({ kind: z.literal('when'), id: StepId, condition: z.string().min(1), steps: z.array(Step), otherwise: z.array(Step) }),
);

export const Step: z.ZodType<Step> = z.lazy(() =>
  z.union([ActionStep, ApprovalStep, InputStep, WaitStep, ClockStep, ChildRunbookStep, SequenceStep, ParallelStep, WhenStep]),
);
