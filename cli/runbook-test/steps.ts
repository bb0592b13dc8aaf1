import type { Step } from '../../runbooks/schema/step';

/** Every step of a normalised runbook tree, depth first in document order (nested steps after their parent). */
export function allSteps(steps: readonly Step[]): Step[] {
  const out: Step[] = [];
  for (const step of steps) {
    out.push(step);
    if (step.kind === 'sequence') out.push(...allSteps(step.steps));
    if (step.kind === 'when') out.push(...allSteps(step.steps), ...allSteps(step.otherwise));
    if (step.kind === 'parallel') for (const branch of step.branches) out.push(...allSteps(branch));
  }
  return out;
}
