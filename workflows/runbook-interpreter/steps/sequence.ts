import type { SequenceStep, Step } from '../../../runbooks/schema/step';
import type { RunContext, StepOutcome } from '../context';

export type RunStep = (step: Step, ctx: RunContext) => Promise<StepOutcome>;
export type RunSteps = (steps: Step[], ctx: RunContext) => Promise<StepOutcome>;

/** Runs steps in order; a `halt` (a rejected approval) skips the rest of this sequence only. */
export function sequenceRunner(runStep: RunStep): RunSteps {
  return async (steps, ctx) => {
    for (const step of steps) {
      if ((await runStep(step, ctx)) === 'halt') break;
    }
    return 'ok';
  };
}

export async function runSequence(step: SequenceStep, ctx: RunContext, runSteps: RunSteps): Promise<StepOutcome> {
  return runSteps(step.steps, ctx);
}
