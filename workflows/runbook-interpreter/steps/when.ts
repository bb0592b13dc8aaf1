import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import type { WhenStep } from '../../../runbooks/schema/step';
import type { RunContext, StepOutcome } from '../context';
import { finishStep, startStep, templateScope } from '../context';
import type { RunSteps } from './sequence';
import { oneLocalActivityAtATime } from '../../local-activity-gate';

export interface ConditionRequest {
  expression: string;
  scope: Record<string, unknown>;
}

// CEL runs in a local activity, not in workflow code: its result is recorded in history, so upgrading the CEL
// library can never change the branch a replayed incident took.
const { 'conditions.evaluate': evaluate } = proxyLocalActivities<Pick<Activities, 'conditions.evaluate'>>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3 },
});

export async function runWhen(step: WhenStep, ctx: RunContext, runSteps: RunSteps): Promise<StepOutcome> {
  const record = startStep(ctx, step.id, 'when');
  const earlier = record.state === 'done' ? (record.result as { condition: boolean }).condition : undefined;
  const chosen = earlier ?? (await oneLocalActivityAtATime(() => evaluate({ expression: step.condition, scope: templateScope(ctx) })));
  if (earlier === undefined) {
    finishStep(ctx, record, 'done', { result: { condition: chosen } });
    ctx.state.results[step.id] = { condition: chosen };
  }
  return runSteps(chosen ? step.steps : step.otherwise, ctx);
}
