import { condition } from '@temporalio/workflow';
import type { InputStep } from '../../../runbooks/schema/step';
import { notifyEscalation } from '../../incident/escalation-notice';
import { addTimeline } from '../../incident/state';
import { type RunContext, type StepOutcome, allowedRoles, finishStep, now, remainingMs, startStep } from '../context';

/** Asks a person holding `role` a typed question; the answer (via answerUpdate) feeds conditions and templates. */
export async function runInput(step: InputStep, ctx: RunContext): Promise<StepOutcome> {
  const record = startStep(ctx, step.id, 'input', 'waiting');
  const status = ctx.state.status;
  if (!status.pendingInputs.some((p) => p.stepId === step.id)) {
    status.pendingInputs.push({ stepId: step.id, ask: step.ask, type: step.type, choices: step.choices, role: step.role, allowedRoles: allowedRoles(ctx, step.role) });
  }
  const answered = () => Object.prototype.hasOwnProperty.call(status.answers, step.id);
  const escalated = () => status.timeline.some((t) => t.event === 'input.escalated' && t.stepId === step.id);
  if (step.timeout && !escalated() && !(await condition(answered, remainingMs(record.startedAt, step.timeout)))) {
    addTimeline(ctx.state, { at: now(), event: 'input.escalated', stepId: step.id, detail: step.escalate ?? step.role });
    await notifyEscalation(ctx, step.id, step.escalate ?? step.role, `The question "${step.ask}"`);
  }
  await condition(answered);
  status.pendingInputs = status.pendingInputs.filter((p) => p.stepId !== step.id);
  finishStep(ctx, record, 'done', { result: { answer: status.answers[step.id] } });
  return 'ok';
}
