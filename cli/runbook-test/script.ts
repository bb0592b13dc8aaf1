import { z } from 'zod';
import { Alert, Severity } from '../../runbooks/schema/alert';
import { LabelQuestionId } from '../../runbooks/schema/requires';
import { Duration, StepId } from '../../runbooks/schema/step';

const Answer = z.union([z.string(), z.number(), z.boolean()]);

/**
 * One scripted move by a person: answer an input, approve or reject an approval, resolve an escalated failure, or
 * abort the incident once `step` is waiting. `after` lets that much time pass first, to exercise timeouts.
 */
export const ScriptedMove = z
  .strictObject({
    /** A step id, or `labels.<name>` to answer the question for a label the runbook requires and the alert lacks. */
    step: z.union([StepId, LabelQuestionId]),
    answer: Answer.optional(),
    approve: z.string().min(1).optional(),
    reject: z.string().min(1).optional(),
    resolve: z.enum(['retry', 'continue', 'abort']).optional(),
    abort: z.string().min(1).optional(),
    as: z.string().min(1),
    roles: z.array(z.string().min(1)).default([]),
    after: Duration.optional(),
  })
  .refine((move) => ['answer', 'approve', 'reject', 'resolve', 'abort'].filter((k) => move[k as keyof typeof move] !== undefined).length === 1, {
    message: 'each move has exactly one of answer, approve, reject, resolve or abort',
  });
export type ScriptedMove = z.infer<typeof ScriptedMove>;

export const RunbookTestScript = z.strictObject({
  /** Step id → the ApplicationFailure type its action fails with (the first time it runs; a retry succeeds). */
  failures: z.record(StepId, z.string().min(1)).default({}),
  steps: z.array(ScriptedMove).default([]),
  /** What the run must show; any miss makes `runbook test` exit 1. */
  expect: z
    .strictObject({
      phase: z.enum(['completed', 'aborted', 'failed']).optional(),
      reached: z.array(StepId).default([]),
      notReached: z.array(StepId).default([]),
    })
    .optional(),
});
export type RunbookTestScript = z.infer<typeof RunbookTestScript>;

/** A recorded alert as an author would save it: only title and labels are needed; the rest gets test defaults. */
export const RecordedAlert = Alert.partial().extend({ title: z.string().min(1), labels: z.record(z.string(), z.string()).default({}), severity: Severity.default('high') });
export type RecordedAlert = z.infer<typeof RecordedAlert>;

export function alertFromRecording(recorded: RecordedAlert, receivedAt: string): Alert {
  return Alert.parse({
    source: 'runbook-test',
    deliveryId: 'runbook-test-1',
    fingerprint: recorded.title,
    status: 'firing',
    occurredAt: receivedAt,
    receivedAt,
    raw: recorded,
    ...recorded,
  });
}
