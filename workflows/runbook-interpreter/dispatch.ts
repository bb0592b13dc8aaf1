import type { Step } from '../../runbooks/schema/step';
import type { RunContext, StepOutcome } from './context';
import { runAction } from './steps/action';
import { runApproval } from './steps/approval';
import { runChildRunbook } from './steps/child-runbook';
import { runClock } from './steps/clock';
import { runInput } from './steps/input';
import { runParallel } from './steps/parallel';
import { runSequence, sequenceRunner } from './steps/sequence';
import { runWait } from './steps/wait';
import { runWhen } from './steps/when';

const FINISHED = new Set(['done', 'failed', 'skipped', 'rejected', 'compensated']);

/**
 * A step that already finished in an earlier run of this incident (before a continue-as-new) is not run again; its
 * outcome stands. `when` is the exception: its own record is done once the condition is evaluated, but its branch
 * may still be under way, so it re-enters the branch it chose.
 */
function finishedEarlier(step: Step, ctx: RunContext): StepOutcome | undefined {
  const record = ctx.state.status.steps.find((s) => s.id === step.id);
  if (!record || step.kind === 'when' || !FINISHED.has(record.state)) return undefined;
  return record.state === 'rejected' ? 'halt' : 'ok';
}

/** The one place the interpreter branches on a step's kind; the `never` makes a missing kind a compile error. */
export function runStep(step: Step, ctx: RunContext): Promise<StepOutcome> {
  const earlier = finishedEarlier(step, ctx);
  if (earlier) return Promise.resolve(earlier);
  switch (step.kind) {
    case 'action':
      return runAction(step, ctx);
    case 'approval':
      return runApproval(step, ctx);
    case 'input':
      return runInput(step, ctx);
    case 'wait':
      return runWait(step, ctx);
    case 'clock':
      return runClock(step, ctx);
    case 'runbook':
      return runChildRunbook(step, ctx);
    case 'sequence':
      return runSequence(step, ctx, runSteps);
    case 'parallel':
      return runParallel(step, ctx, runSteps);
    case 'when':
      return runWhen(step, ctx, runSteps);
    default: {
      const unknownStep: never = step;
      throw new Error(`unknown step kind ${JSON.stringify(unknownStep)}`);
    }
  }
}

export const runSteps = sequenceRunner(runStep);
