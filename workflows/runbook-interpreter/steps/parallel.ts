import { CancellationScope } from '@temporalio/workflow';
import type { ParallelStep } from '../../../runbooks/schema/step';
import { type RunContext, type StepOutcome, finishStep, startStep } from '../context';
import type { RunSteps } from './sequence';

/** `all` waits for every branch; `first` takes the first branch to finish and cancels the others. */
export async function runParallel(step: ParallelStep, ctx: RunContext, runSteps: RunSteps): Promise<StepOutcome> {
  const record = startStep(ctx, step.id, 'parallel');
  if (step.mode === 'all') {
    await Promise.all(step.branches.map((branch) => runSteps(branch, ctx)));
  } else {
    await CancellationScope.cancellable(async () => {
      const scope = CancellationScope.current();
      await Promise.race(step.branches.map((branch) => runSteps(branch, ctx)));
      scope.cancel();
    }).catch((error: unknown) => {
      if (!(error instanceof Error && error.name === 'CancelledFailure')) throw error;
    });
  }
  finishStep(ctx, record, 'done');
  return 'ok';
}
