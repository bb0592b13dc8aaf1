import { condition, isCancellation, log } from '@temporalio/workflow';
import { addTimeline, type IncidentState } from '../incident/state';
import { type Alarm, unfiredAlarms } from './alarms';
import { isSubmitted, trackedStage } from './clock-records';
import { computeDeadlines } from './compute-proxy';
import type { ClockStage, DeadlineClock } from './types';

const iso = (ms: number): string => new Date(ms).toISOString();

function fire(state: IncidentState, clock: DeadlineClock, stage: ClockStage, alarm: Alarm): void {
  stage.alarms.push(alarm.id);
  const at = iso(Date.now());
  const what = `${clock.id}/${stage.stageId}: ${alarm.label}, due ${stage.dueAt}${stage.kind === 'open' ? ' (internal target)' : ''}`;
  if (alarm.kind === 'reminder') {
    addTimeline(state, { at, event: 'clock.reminder', detail: what });
  } else if (alarm.kind === 'near') {
    stage.atRisk = true;
    addTimeline(state, { at, event: 'clock.escalated', actor: 'system:firebreak', detail: `${clock.policy.escalateTo}: ${what}` });
  } else {
    stage.missed = true;
    stage.atRisk = false;
    addTimeline(state, { at, event: 'clock.missed', detail: what });
    addTimeline(state, { at, event: 'clock.escalated', actor: 'system:firebreak', detail: `${clock.policy.escalateTo}: ${what}` });
  }
}

/** Fires every alarm whose time has come; returns the time of the next one, if any. */
export function fireDueAlarms(state: IncidentState, clock: DeadlineClock): number | undefined {
  const nowMs = Date.now();
  let next: number | undefined;
  for (const stage of clock.stages) {
    if (stage.state !== 'running') continue;
    for (const alarm of unfiredAlarms(stage, clock.policy)) {
      if (alarm.atMs <= nowMs) fire(state, clock, stage, alarm);
      else next = next === undefined ? alarm.atMs : Math.min(next, alarm.atMs);
    }
  }
  return next;
}

/** A projected stage whose predecessor has been submitted: its deadline must be recomputed from the actual time. */
function stageToRecompute(clock: DeadlineClock): ClockStage | undefined {
  return clock.stages.find((stage) => {
    if (stage.state !== 'projected' || stage.chainsFrom === undefined) return false;
    const prior = clock.stages.find((s) => s.stageId === stage.chainsFrom);
    return prior !== undefined && isSubmitted(prior);
  });
}

async function recompute(state: IncidentState, clock: DeadlineClock, from: ClockStage): Promise<void> {
  const submissions: Record<string, string> = {};
  for (const stage of clock.stages) if (stage.submittedAt !== undefined) submissions[stage.stageId] = stage.submittedAt;
  const result = await computeDeadlines({
    obligationId: clock.id,
    at: clock.triggeredAt,
    anchors: clock.anchors,
    facts: clock.facts,
    submissions,
    submitted: { stageId: from.chainsFrom!, at: submissions[from.chainsFrom!]! },
  });
  for (const computed of result.stages) {
    const index = clock.stages.findIndex((stage) => stage.stageId === computed.stageId);
    if (index < 0 || isSubmitted(clock.stages[index]!)) continue;
    const stage = trackedStage(computed, clock, Date.now());
    clock.stages[index] = stage;
    addTimeline(state, { at: iso(Date.now()), event: 'clock.recomputed', detail: `${clock.id}/${stage.stageId}: due ${stage.dueAt ?? stage.state}, from the actual submission of ${computed.chainsFrom}` });
  }
  // A stage the activity did not return (a condition now fails) must not keep the loop recomputing it.
  if (from.state === 'projected') from.state = 'not-applicable';
}

/**
 * The clock's background loop: sleeps until its next reminder or escalation, or until a submission or stop changes
 * the clock (`revision`), recomputes chained stages, and ends when the clock stops. Cancellation (the incident was
 * aborted) ends it quietly: the close records what was still open.
 */
export async function superviseClock(state: IncidentState, clock: DeadlineClock): Promise<void> {
  try {
    for (;;) {
      const chained = stageToRecompute(clock);
      if (chained) {
        await recompute(state, clock, chained);
        continue;
      }
      if (clock.state !== 'running') return;
      const next = fireDueAlarms(state, clock);
      const seen = clock.revision;
      if (next === undefined) await condition(() => clock.revision !== seen);
      else await condition(() => clock.revision !== seen, Math.max(1, next - Date.now()));
    }
  } catch (error) {
    if (isCancellation(error)) return;
    log.warn('deadline clock loop failed', { clock: clock.id, error: (error as Error).message });
    addTimeline(state, { at: iso(Date.now()), event: 'clock.failed', detail: `${clock.id}: ${(error as Error).message}` });
  }
}

// Module state is the workflow's own: the SDK evaluates workflow modules once per workflow execution.
const loop = { running: false, wakes: 0 };

/**
 * On release incident-2026-12b: one background loop for all of the incident's clocks instead of one per clock. It
 * sleeps until the earliest alarm of any running clock, or until a clock starts, stops or is submitted: one timer where
 * the clocks' alarms fall together (the same history a clock at a time would record, less one timer per extra clock),
 * and a third of the promises, which the SDK tracks one by one (a captured stack each, kept while it is pending).
 * Chained stages are recomputed each in a task of its own, so one clock's activity does not hold up another's alarms,
 * and a failed recompute ends only that clock's alarms, as it did. Call it after starting clocks (their due alarms are
 * fired at once by `fireDueAlarms`) and for clocks carried over: it starts the loop, or wakes the one running.
 */
export function superviseClocks(state: IncidentState): void {
  loop.wakes += 1;
  if (loop.running) return;
  loop.running = true;
  void clocksLoop(state);
}

async function clocksLoop(state: IncidentState): Promise<void> {
  const recomputing = new Set<DeadlineClock>();
  const failed = new Set<DeadlineClock>();
  try {
    for (;;) {
      let next: number | undefined;
      for (const clock of state.status.clocks) {
        if (recomputing.has(clock) || failed.has(clock)) continue;
        const chained = stageToRecompute(clock);
        if (chained) {
          recomputing.add(clock);
          void recomputeApart(state, clock, chained, failed).finally(() => {
            recomputing.delete(clock);
            loop.wakes += 1;
          });
          continue;
        }
        if (clock.state !== 'running') continue;
        const at = fireDueAlarms(state, clock);
        if (at !== undefined) next = next === undefined ? at : Math.min(next, at);
      }
      const clocks = state.status.clocks;
      const revisions = clocks.map((clock) => clock.revision);
      const wakes = loop.wakes;
      const changed = () => loop.wakes !== wakes || state.status.clocks !== clocks || clocks.some((clock, i) => clock.revision !== revisions[i]);
      if (next === undefined) await condition(changed);
      else await condition(changed, Math.max(1, next - Date.now()));
    }
  } catch (error) {
    // Cancelled: the incident was aborted, and the close records what was still open.
    if (!isCancellation(error)) throw error;
  } finally {
    loop.running = false;
  }
}

async function recomputeApart(state: IncidentState, clock: DeadlineClock, from: ClockStage, failed: Set<DeadlineClock>): Promise<void> {
  try {
    await recompute(state, clock, from);
  } catch (error) {
    if (isCancellation(error)) return;
    failed.add(clock);
    log.warn('deadline clock loop failed', { clock: clock.id, error: (error as Error).message });
    addTimeline(state, { at: iso(Date.now()), event: 'clock.failed', detail: `${clock.id}: ${(error as Error).message}` });
  }
}
