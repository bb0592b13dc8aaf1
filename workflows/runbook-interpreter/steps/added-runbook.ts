import { type CancellationScope, condition, executeChild, isCancellation } from '@temporalio/workflow';
import type { RunRunbookRequest } from '../../incident/messages';
import { type IncidentStatus, type StepRecord, addTimeline } from '../../incident/state';
import { type RunContext, finishStep } from '../context';

/** Added runbooks still running, by step id; the incident does not complete while any is. */
export type AddedRunbooks = Map<string, Promise<void>>;

/**
 * Runs a runbook added to an incident under way (`runRunbookUpdate`) as a child workflow, the way a `runbook` step
 * runs one, under the incident's run scope so an abort cancels it. Records step `run-<runbook-id>` (kind `runbook`,
 * so the incident does not continue as new while it is in flight) and returns without waiting for the child.
 */
export function startAddedRunbook(ctx: RunContext, run: CancellationScope, added: AddedRunbooks, request: RunRunbookRequest): { started: true; childId: string } {
  const runbookId = request.pinned.runbook.id;
  const stepId = `run-${runbookId}`;
  const childId = `${ctx.input.incidentId}/${stepId}`;
  // Mutate before any await: a second request's validator then already sees this runbook running.
  const fresh: StepRecord = { id: stepId, kind: 'runbook', state: 'running', startedAt: request.at };
  const record = ctx.state.status.steps.find((s) => s.id === stepId);
  if (record) Object.assign(record, fresh, { endedAt: undefined, result: undefined, error: undefined });
  else ctx.state.status.steps.push(fresh);
  const step = record ?? fresh;
  addTimeline(ctx.state, { at: request.at, event: 'runbook.added', stepId, actor: request.actor.id, detail: `runbook ${runbookId} v${request.pinned.runbook.version}${request.reason ? `: ${request.reason}` : ''}` });
  const done = run
    .run(() =>
      executeChild('incidentWorkflow', {
        workflowId: childId,
        args: [{ ...ctx.input, carried: undefined, incidentId: childId, pinned: request.pinned, children: request.children ?? {}, openedAt: request.at }],
      }),
    )
    .then(
      (child: IncidentStatus) => {
        finishStep(ctx, step, child.phase === 'completed' ? 'done' : 'failed', { result: { phase: child.phase } });
        ctx.state.results[stepId] = { phase: child.phase };
      },
      (error: unknown) => {
        const message = isCancellation(error) ? 'cancelled with the incident' : (error as Error).message;
        finishStep(ctx, step, 'failed', { error: { message } });
      },
    )
    .finally(() => added.delete(stepId));
  added.set(stepId, done);
  return { started: true, childId };
}

/** Waits, if need be, until every added runbook has finished (a no-op, with no commands, when none is running). */
export async function addedRunbooksFinished(added: AddedRunbooks): Promise<void> {
  if (added.size > 0) await condition(() => added.size === 0);
}
