import { ActivityFailure, ApplicationFailure, isCancellation, proxyActivities, condition } from '@temporalio/workflow';
import { renderValue } from '../../../runbooks/template';
import type { ActionStep } from '../../../runbooks/schema/step';
import { liveness } from '../../activity-liveness';
import { submitStages } from '../../deadline-clocks/clock-records';
import { addTimeline, actorName } from '../../incident/state';
import { type RunContext, type StepOutcome, duration, finishStep, now, startStep, templateScope } from '../context';
import { armExpiry, expires } from '../expiry';

/** What every action activity receives. `key` is built from what the step means, never from the attempt. */
export interface ActionRequest {
  key: string;
  incidentId: string;
  stepId: string;
  input: Record<string, unknown>;
}

export type ActionFn = (request: ActionRequest) => Promise<unknown>;

export function actionRequest(ctx: RunContext, stepId: string, rendered: Record<string, unknown>, suffix = ''): ActionRequest {
  const incidentId = ctx.input.incidentId;
  return { key: `${incidentId}/${stepId}${suffix}`, incidentId, stepId, input: rendered };
}

export function actionProxy(step: Pick<ActionStep, 'timeout' | 'retry'>, action: string): ActionFn {
  const activities = proxyActivities<Record<string, ActionFn>>({
    startToCloseTimeout: duration(step.timeout),
    ...liveness(),
    retry: { maximumAttempts: step.retry.maximumAttempts, initialInterval: duration(step.retry.initialInterval), maximumInterval: duration(step.retry.maximumInterval) },
  });
  return activities[action]!;
}

function failureOf(error: unknown): { type?: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? undefined, message: cause.message };
  return { message: error instanceof Error ? error.message : String(error) };
}

/** Runs an action; on failure applies the step's policy. Rethrows (so the runbook aborts) under `abort`. */
export async function runAction(step: ActionStep, ctx: RunContext): Promise<StepOutcome> {
  const record = startStep(ctx, step.id, 'action');
  for (;;) {
    try {
      const rendered = renderValue(step.with, templateScope(ctx)) as Record<string, unknown>;
      const result = await actionProxy(step, step.action)(actionRequest(ctx, step.id, rendered));
      ctx.state.results[step.id] = result ?? {};
      finishStep(ctx, record, 'done', { result });
      submitStages(ctx.state, step.stops, record.endedAt!, step.id);
      if (step.compensate) {
        const withValues = renderValue(step.compensate.with, templateScope(ctx)) as Record<string, unknown>;
        const entry = { stepId: step.id, compensation: { action: step.compensate.action, with: withValues } };
        ctx.compensations.push(entry);
        if (expires(rendered)) await armExpiry(ctx, entry, rendered.ttl);
      }
      return 'ok';
    } catch (error) {
      if (isCancellation(error)) throw error;
      const failure = failureOf(error);
      if (step.onFailure === 'continue') {
        finishStep(ctx, record, 'failed', { error: failure });
        return 'ok';
      }
      if (step.onFailure === 'abort') {
        finishStep(ctx, record, 'failed', { error: failure });
        throw ApplicationFailure.nonRetryable(`step ${step.id} failed: ${failure.message}`, 'runbook.step_failed');
      }
      const choice = await awaitResolution(ctx, record.id, failure);
      if (choice === 'continue') {
        finishStep(ctx, record, 'failed', { error: failure });
        return 'ok';
      }
      if (choice === 'abort') {
        finishStep(ctx, record, 'failed', { error: failure });
        throw ApplicationFailure.nonRetryable(`step ${step.id} failed and was aborted`, 'runbook.step_failed');
      }
      record.state = 'running';
      addTimeline(ctx.state, { at: now(), event: 'step.retried', stepId: step.id });
    }
  }
}

/** `escalate`: the step is blocked until someone chooses retry, continue or abort (resolveStepUpdate). */
async function awaitResolution(ctx: RunContext, stepId: string, failure: { message: string }): Promise<'retry' | 'continue' | 'abort'> {
  const record = ctx.state.status.steps.find((s) => s.id === stepId)!;
  record.state = 'blocked';
  record.error = failure;
  addTimeline(ctx.state, { at: now(), event: 'step.escalated', stepId, detail: failure.message });
  const pending = ctx.state.resolutions;
  await condition(() => pending[stepId] !== undefined);
  const resolution = pending[stepId]!;
  delete pending[stepId];
  addTimeline(ctx.state, { at: resolution.at, event: `step.resolution.${resolution.choice}`, stepId, actor: actorName(resolution.actor), detail: resolution.reason });
  return resolution.choice;
}
