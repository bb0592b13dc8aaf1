import type { ClockStep } from '../../../runbooks/schema/step';
import { renderTemplate } from '../../../runbooks/template';
import { addTimeline } from '../../incident/state';
import { type RunContext, type StepOutcome, finishStep, now, startStep, templateScope } from '../context';

/**
 * Starts or stops named deadline clocks. The trigger time is the one a person stated (`at`), not the click.
 * This records the clock events; due-time computation and reminders belong to the deadline-clocks issue (#7).
 */
export async function runClock(step: ClockStep, ctx: RunContext): Promise<StepOutcome> {
  const record = startStep(ctx, step.id, 'clock');
  const at = step.at ? renderTemplate(step.at, templateScope(ctx)) : now();
  for (const clock of step.start) addTimeline(ctx.state, { at: now(), event: 'clock.started', stepId: step.id, detail: `${clock} from ${at}` });
  for (const clock of step.stop) addTimeline(ctx.state, { at: now(), event: 'clock.stopped', stepId: step.id, detail: `${clock}${step.reason ? `: ${step.reason}` : ''}` });
  finishStep(ctx, record, 'done', { result: { at, started: step.start, stopped: step.stop } });
  ctx.state.results[step.id] = { at };
  return 'ok';
}
