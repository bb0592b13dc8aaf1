import { ApplicationFailure, executeChild } from '@temporalio/workflow';
import type { ChildRunbookStep } from '../../../runbooks/schema/step';
import type { IncidentStatus } from '../../incident/state';
import { type RunContext, type StepOutcome, finishStep, now, startStep } from '../context';

/** Runs another runbook as a child workflow, pinned (like the parent) to the document resolved at load time. */
export async function runChildRunbook(step: ChildRunbookStep, ctx: RunContext): Promise<StepOutcome> {
  const record = startStep(ctx, step.id, 'runbook');
  const pinned = ctx.input.children[step.runbook];
  if (!pinned) throw ApplicationFailure.nonRetryable(`child runbook ${step.runbook} was not resolved when the incident started`, 'runbook.unknown_child');
  const child: IncidentStatus = await executeChild('incidentWorkflow', {
    workflowId: `${ctx.input.incidentId}/${step.id}`,
    args: [{ ...ctx.input, incidentId: `${ctx.input.incidentId}/${step.id}`, pinned, openedAt: now() }],
  });
  finishStep(ctx, record, child.phase === 'completed' ? 'done' : 'failed', { result: { phase: child.phase } });
  ctx.state.results[step.id] = { phase: child.phase };
  return 'ok';
}
