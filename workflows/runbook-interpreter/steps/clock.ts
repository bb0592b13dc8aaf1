import { ApplicationFailure, ActivityFailure, isCancellation } from '@temporalio/workflow';
import type { ClockStep } from '../../../runbooks/schema/step';
import { renderTemplate } from '../../../runbooks/template';
import { stopClock } from '../../deadline-clocks/clock-records';
import { startClocks } from '../../deadline-clocks/start-clocks';
import { type RunContext, type StepOutcome, finishStep, now, startStep, templateScope } from '../context';

function failureType(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

/**
 * Starts or stops deadline clocks. A start computes due times from the trigger time a person stated (`at`, e.g. the
 * awareness answer), not the click, and arms reminders and escalations; a stop ends the duty with the step's reason.
 * A clock that cannot be computed fails the step and the runbook: nobody may believe a clock is running when it is not.
 */
export async function runClock(step: ClockStep, ctx: RunContext): Promise<StepOutcome> {
  const record = startStep(ctx, step.id, 'clock');
  const scope = templateScope(ctx);
  const at = step.at ? renderTemplate(step.at, scope) : now();
  try {
    const started = await startClocks(ctx.state, { step, at, scope, now: now() });
    for (const clock of step.stop) stopClock(ctx.state, clock, { at: now(), by: 'system:firebreak', reason: step.reason ?? `runbook step ${step.id}`, stepId: step.id });
    finishStep(ctx, record, 'done', { result: { at, started: started.map((c) => c.id), stopped: step.stop } });
  } catch (error) {
    if (isCancellation(error)) throw error;
    const failure = { type: failureType(error), message: error instanceof Error ? error.message : String(error) };
    finishStep(ctx, record, 'failed', { error: failure });
    throw ApplicationFailure.nonRetryable(`step ${step.id} failed: ${failure.message}`, 'runbook.step_failed');
  }
  ctx.state.results[step.id] = { at };
  return 'ok';
}
