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

/** The one place the interpreter branches on a step's kind; the `never` makes a missing kind a compile error. */
export function runStep(step: Step, ctx: RunContext): Promise<StepOutcome> {
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
