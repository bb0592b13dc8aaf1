import { sleep } from '@temporalio/workflow';
import type { WaitStep } from '../../../runbooks/schema/step';
import { type RunContext, type StepOutcome, finishStep, remainingMs, startStep } from '../context';

/** A durable timer: it survives worker and server restarts and fires on time afterwards. */
export async function runWait(step: WaitStep, ctx: RunContext): Promise<StepOutcome> {
  const record = startStep(ctx, step.id, 'wait', 'waiting');
  await sleep(remainingMs(record.startedAt, step.duration));
  finishStep(ctx, record, 'done');
  return 'ok';
}
