import { CancellationScope, allHandlersFinished, condition, continueAsNew, isCancellation, log, setHandler } from '@temporalio/workflow';
import { isPatched, onRelease, startRelease } from '../release';
import { recordOpenClocksAtClose, stopClock } from '../deadline-clocks/clock-records';
import { superviseClock, superviseClocks } from '../deadline-clocks/supervisor';
import { compensate } from '../runbook-interpreter/compensation';
import { type RunContext, now } from '../runbook-interpreter/context';
import { runSteps } from '../runbook-interpreter/dispatch';
import { askMissingLabels } from '../runbook-interpreter/required-labels';
import { type AddedRunbooks, addedRunbooksFinished, startAddedRunbook } from '../runbook-interpreter/steps/added-runbook';
import { approvalOutcome } from '../runbook-interpreter/steps/approval';
import { abortUpdate, alertSignal, answerUpdate, decideUpdate, resolveStepUpdate, runRunbookUpdate, statusQuery, stopClockUpdate } from './definitions';
import { disclosureRoles } from './disclosure-roles';
import type { IncidentInput } from './messages';
import { type IncidentStatus, actorName, addTimeline, alertFacts, initialState, recordAlert } from './state';
import { DEFAULT_HISTORY_EVENT_LIMIT, readyToContinueAsNew } from './continue-as-new';
import { startTimelinePublisher } from './timeline-publisher';
import { handleBatchProgress } from './batch-progress';
import { handleAlertRepeats } from './alert-repeats';
import { keepSummaryMemo } from './summary';
import { validateAbort, validateAnswer, validateClockStop, validateDecision, validateResolution, validateRunRunbook } from './validators';

/**
 * One incident: runs its pinned runbook from the first step to the last, taking people's decisions as Updates and
 * repeat alerts as signals. On abort or an unrecoverable failure, completed actions are undone in reverse order.
 * Resolves to the final status, which is also what `statusQuery` shows while it runs.
 */
export async function incidentWorkflow(input: IncidentInput): Promise<IncidentStatus> {
  // First, before anything checks a patch: whether this run records one release marker or each patch's own.
  startRelease();
  const state = initialState(input);
  const ctx: RunContext = { input, state, compensations: input.carried?.compensations ?? [] };
  const runbookRoles = [...new Set(Object.values(input.pinned.runbook.roles).flat())];
  const run = new CancellationScope();
  // Inputs from before the flag existed mirror to Slack, as they did when they were recorded.
  // Shielded: when a parent incident's abort cancels this one (a child runbook), the record still goes out in full.
  // Since incident-2026-12c the summary memo's loop (not cancellable either: an abort must show in the memo) runs in
  // the same scope, instead of a scope of its own.
  const oneBackgroundScope = onRelease('incident-2026-12c');
  let publisher!: ReturnType<typeof startTimelinePublisher>;
  let summary: ReturnType<typeof keepSummaryMemo> | undefined;
  void new CancellationScope({ cancellable: false }).run(() => {
    publisher = startTimelinePublisher(state, input.pinned.runbook, input.slackMirror ?? true);
    if (oneBackgroundScope) summary = keepSummaryMemo(state, 'current-scope');
    return Promise.resolve();
  });

  setHandler(statusQuery, () => state.status);
  // Lists draw rows from this memo instead of a status query per row; histories recorded before it replay without.
  if (!oneBackgroundScope && isPatched('incident-summary-memo')) summary = keepSummaryMemo(state);
  handleBatchProgress(state);
  // Histories recorded before storms rolled over by alert count replay with the count ignored.
  const stormRoll = isPatched('alert-storm-roll');
  let alertsThisRun = 0;
  setHandler(alertSignal, (alert) => {
    if (stormRoll) alertsThisRun += 1;
    recordAlert(state, alert, isPatched('alert-repeats-summarised'));
  });
  handleAlertRepeats(state, (deliveries) => {
    alertsThisRun += deliveries;
  });
  setHandler(
    decideUpdate,
    (request) => {
      // Mutate before any await: a concurrent second click's validator then already sees this decision.
      const approval = state.status.approvals.find((a) => a.stepId === request.stepId)!;
      approval.decisions.push({
        decision: request.decision,
        by: request.actor.id,
        roles: request.actor.roles,
        reason: request.reason,
        at: request.at,
        draftSha256: request.draftSha256,
        ...(request.override && { override: true }),
      });
      addTimeline(state, {
        at: request.at,
        event: `approval.${request.decision}`,
        stepId: request.stepId,
        actor: request.actor.id,
        detail: request.override ? `override by incident commander: ${request.reason}` : request.reason,
        ...(request.override && { facts: { override: 'true' } }),
      });
      return Promise.resolve({ stepId: request.stepId, decision: request.decision, by: request.actor.id, stepOutcome: approvalOutcome(approval) });
    },
    { validator: (request) => validateDecision(state, request) },
  );
  setHandler(
    answerUpdate,
    (request) => {
      state.status.answers[request.stepId] = request.value;
      addTimeline(state, {
        at: request.at,
        event: 'input.answered',
        stepId: request.stepId,
        actor: request.actor.id,
        detail: request.override ? `${String(request.value)} (override by incident commander: ${request.reason ?? ''})` : String(request.value),
        ...(request.override && { facts: { override: 'true' } }),
      });
      return Promise.resolve({ stepId: request.stepId, value: request.value });
    },
    { validator: (request) => validateAnswer(state, request) },
  );
  setHandler(
    abortUpdate,
    (request) => {
      state.status.abort = { by: request.actor.id, reason: request.reason, at: request.at };
      addTimeline(state, { at: request.at, event: 'incident.abort_requested', actor: request.actor.id, detail: request.reason });
      run.cancel();
      return Promise.resolve({ aborted: true as const });
    },
    { validator: (request) => validateAbort(state, request, runbookRoles) },
  );
  setHandler(
    resolveStepUpdate,
    (request) => {
      state.resolutions[request.stepId] = request;
      return Promise.resolve({ stepId: request.stepId, choice: request.choice });
    },
    { validator: (request) => validateResolution(state, request, runbookRoles) },
  );
  const mayStopClocks = disclosureRoles(input.pinned.runbook);
  setHandler(
    stopClockUpdate,
    (request) => {
      stopClock(state, request.clockId, { at: request.at, by: actorName(request.actor), reason: request.reason });
      return Promise.resolve({ clockId: request.clockId, stopped: true as const });
    },
    { validator: (request) => validateClockStop(state, request, mayStopClocks) },
  );
  const added: AddedRunbooks = new Map();
  setHandler(runRunbookUpdate, (request) => Promise.resolve(startAddedRunbook(ctx, run, added, request)), {
    validator: (request) => validateRunRunbook(state, request, runbookRoles),
  });

  const historyEventLimit = input.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT;
  const runbook = run.run(async () => {
    // Clocks carried over from an earlier run get their timer loops back; finished steps are skipped by the interpreter.
    const carriedClocks = state.status.clocks.filter((clock) => clock.state === 'running');
    if (onRelease('incident-2026-12b')) {
      if (carriedClocks.length > 0) superviseClocks(state);
    } else for (const clock of carriedClocks) void superviseClock(state, clock);
    // Histories recorded before runbooks declared `requires` replay without the questions.
    if (isPatched('requires-ask-labels')) await askMissingLabels(ctx);
    await runSteps(input.pinned.runbook.steps, ctx);
    // Runbooks added while the incident ran finish before it completes.
    await addedRunbooksFinished(added);
    return 'finished' as const;
  });
  let rolled = false;
  try {
    rolled = (await Promise.race([runbook, condition(() => readyToContinueAsNew(state, historyEventLimit, alertsThisRun)).then(() => 'rolled' as const)])) === 'rolled';
    if (!rolled) state.status.phase = 'completed';
  } catch (error) {
    state.status.phase = isCancellation(error) && state.status.abort ? 'aborted' : 'failed';
    if (state.status.phase === 'failed') {
      log.warn('runbook failed', { incidentId: input.incidentId, error: (error as Error).message });
      addTimeline(state, { at: now(), event: 'runbook.failed', detail: (error as Error).message });
    }
    await CancellationScope.nonCancellable(() => compensate(ctx));
    // An abort cancelled the added runbooks too; their steps record how they ended before the incident closes.
    await CancellationScope.nonCancellable(() => addedRunbooksFinished(added));
  }
  if (rolled) {
    // Outside the try: continueAsNew ends this run by throwing, which the failure path must not take for a failure.
    log.info('incident continues as new', { incidentId: input.incidentId, timeline: state.status.timeline.length });
    return continueAsNew<typeof incidentWorkflow>({ ...input, carried: { state, compensations: ctx.compensations } });
  }
  state.status.closedAt = now();
  recordOpenClocksAtClose(state, state.status.closedAt);
  addTimeline(state, {
    at: state.status.closedAt,
    event: `incident.${state.status.phase}`,
    actor: state.status.abort ? state.status.abort.by : actorName({ kind: 'system', id: 'firebreak', roles: [] }),
    ...(isPatched('alert-repeats-summarised') && { facts: alertFacts(state) }),
  });
  summary?.flush();
  // Not cancellable: a child incident cancelled by its parent's abort still closes in order instead of failing its task.
  await CancellationScope.nonCancellable(async () => {
    await condition(allHandlersFinished);
    await publisher.drain();
  });
  return state.status;
}
