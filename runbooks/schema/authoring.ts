import { z } from 'zod';
import { AuthoringRequires } from './requires';
import { RoleMap, RunbookId } from './runbook';
import { Duration, FailurePolicy, InputType, StepId } from './step';

/*
 * The YAML form people write. Every step has an `id` and one key that says what it does
 * (`action`, `approval`, `input`, `wait`, `clock`, `runbook`, `parallel`, `when`; a step with only
 * `steps` is a group run in order). The loader turns it into the normalised `Step` tree.
 *
 * Kind schemas are built by `authoringStepSchemas(child)` so the loader can check one level at a
 * time (children as `unknown`, walked separately for precise paths) while the exported, fully
 * recursive `AuthoringStep` drives the JSON Schema editors use.
 */

/** One id or a list of them: `stops: gdpr-art33-sa` reads better than a one-element list. */
const OneOrMany = z.union([z.string().min(1), z.array(z.string().min(1))]);

const Retry = z.union([
  z.number().int().min(1).max(100).describe('maximum attempts'),
  z.strictObject({
    maximumAttempts: z.number().int().min(1).max(100).optional(),
    initialInterval: Duration.optional(),
    maximumInterval: Duration.optional(),
  }),
]);

/** `true`: the action's registered undo with the same inputs; a name: that action with the same inputs; or spelled out. */
const Compensate = z.union([
  z.literal(true),
  z.string().min(1),
  z.strictObject({ action: z.string().min(1), with: z.record(z.string(), z.unknown()).optional() }),
]);

export const AuthoringApproval = z.strictObject({
  role: z.string().min(1),
  approvers: z.number().int().min(1).max(10).optional(),
  timeout: Duration.optional(),
  escalate: z.string().min(1).optional(),
  draft: z.string().min(1).optional(),
  attachments: z.array(z.string().min(1).max(256)).min(1).max(20).optional(),
});

export const AuthoringInput = z
  .strictObject({
    ask: z.string().min(1),
    type: InputType,
    choices: z.array(z.string().min(1)).min(2).optional(),
    role: z.string().min(1),
    timeout: Duration.optional(),
    escalate: z.string().min(1).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.type === 'choice' && !input.choices) {
      ctx.addIssue({ code: 'custom', path: ['choices'], message: 'a choice question needs a list of choices' });
    }
    if (input.type !== 'choice' && input.choices) {
      ctx.addIssue({ code: 'custom', path: ['choices'], message: 'only type: choice takes choices' });
    }
  });

export const AuthoringClock = z.strictObject({
  start: OneOrMany.optional(),
  stop: OneOrMany.optional(),
  /** When the trigger happened as a person stated it, e.g. `{{answers.aware-at}}`; default: when this step runs. */
  at: z.string().min(1).optional(),
  reason: z.string().min(1).optional(),
  /** Other anchor times the obligation reads (DORA: `awareness: '{{answers.aware-at}}'`). */
  anchors: z.record(z.string(), z.string().min(1)).optional(),
  /** Catalogue facts for the obligation's conditions, e.g. `individualsAffected: '{{answers.phi-people}}'`. */
  facts: z.record(z.string(), z.union([z.string().min(1), z.number(), z.boolean()])).optional(),
  /** Reminders: fractions of the time used and durations before the deadline (default 0.5, 0.75, 0.9 and 1h). */
  remind: z.strictObject({ at: z.array(z.number().gt(0).lt(1)).optional(), before: z.array(Duration).optional() }).optional(),
  /** Role told when a deadline is near (`whenLeft`, default 1h) and again when missed (default incident-commander). */
  escalate: z.strictObject({ to: z.string().min(1).optional(), whenLeft: Duration.optional() }).optional(),
});

/** The key that names each step kind, in the order the loader checks them. */
export const STEP_KIND_KEYS = ['action', 'approval', 'input', 'wait', 'clock', 'runbook', 'parallel', 'when'] as const;
export type StepKindKey = (typeof STEP_KIND_KEYS)[number] | 'steps';

/** Builds the schema of each step kind; `child` validates nested steps. */
export function authoringStepSchemas<Child extends z.ZodType>(child: Child) {
  const children = z.array(child);
  return {
    action: z.strictObject({
      id: StepId,
      title: z.string().min(1).optional(),
      action: z.string().min(1),
      with: z.record(z.string(), z.unknown()).optional(),
      timeout: Duration.optional(),
      retry: Retry.optional().describe('Default: 5 attempts, 1s to 1m apart; notify.* actions: 100 attempts, 5s to 5m apart (about 8 hours)'),
      onFailure: FailurePolicy.optional().describe('Default: abort; notify.* actions: escalate (a person chooses retry, continue or abort)'),
      compensate: Compensate.optional(),
      stops: OneOrMany.optional(),
    }),
    approval: z.strictObject({ id: StepId, title: z.string().min(1).optional(), approval: AuthoringApproval }),
    input: z.strictObject({ id: StepId, input: AuthoringInput }),
    wait: z.strictObject({ id: StepId, wait: Duration }),
    clock: z.strictObject({ id: StepId, clock: AuthoringClock }),
    runbook: z.strictObject({ id: StepId, runbook: RunbookId }),
    parallel: z.strictObject({
      id: StepId,
      parallel: z.strictObject({
        mode: z.enum(['all', 'first']).optional(),
        /** Each branch is one step or a list of steps run in order. */
        branches: z.array(z.union([children, child])).min(1),
      }),
    }),
    when: z.strictObject({ id: StepId, when: z.string().min(1), steps: children.min(1), otherwise: children.optional() }),
    steps: z.strictObject({ id: StepId, title: z.string().min(1).optional(), steps: children.min(1) }),
  } satisfies Record<StepKindKey, z.ZodType>;
}

export type AuthoringStep = { id: string; [key: string]: unknown };

const recursiveKinds = authoringStepSchemas(z.lazy((): z.ZodType<AuthoringStep> => AuthoringStep));

/** One step as written in YAML (any kind). */
export const AuthoringStep: z.ZodType<AuthoringStep> = z
  .union(Object.values(recursiveKinds))
  .meta({ id: 'Step', description: 'A step: an id plus one of action, approval, input, wait, clock, runbook, parallel, when, or steps.' }) as z.ZodType<AuthoringStep>;

/** The top of a runbook file, with `steps` left to the step walker. */
export const AuthoringHeader = z.strictObject({
  id: RunbookId,
  version: z.number().int().min(1),
  title: z.string().min(1),
  description: z.string().optional(),
  /** CEL over `alert`: when true, an alert starts this runbook. */
  match: z.string().min(1).optional(),
  priority: z.number().int().optional(),
  roles: RoleMap.optional(),
  /** Alert labels and config keys the runbook reads: checked against its references, the config and each alert. */
  requires: AuthoringRequires.optional(),
  steps: z.array(z.unknown()).min(1),
});

/** A whole runbook file as written. */
export const AuthoringRunbook = AuthoringHeader.extend({ steps: z.array(AuthoringStep).min(1) });
export type AuthoringRunbook = z.infer<typeof AuthoringRunbook>;
