import { addTimeline, type IncidentState } from '../incident/state';
import { skipPassedReminders } from './alarms';
import { humanDuration } from './durations';
import type { ClockStage, ComputedStage, DeadlineClock } from './types';

/*
 * Synchronous transitions of the clocks in an incident's status. Each one writes its timeline entry (and so its audit
 * record) and bumps `revision` so the clock's timer loop wakes up and re-plans.
 */

const SUBMITTED: ReadonlySet<ClockStage['state']> = new Set(['on-time', 'late']);

export function isSubmitted(stage: ClockStage): boolean {
  return SUBMITTED.has(stage.state);
}

/** A stage as computed becomes a stage as tracked; `nowMs` decides which reminders are already history. */
export function trackedStage(computed: ComputedStage, clock: Pick<DeadlineClock, 'policy'>, nowMs: number): ClockStage {
  const state: ClockStage['state'] =
    computed.kind === 'not-applicable' ? 'not-applicable' : computed.kind === 'pending' ? 'pending' : computed.projected ? 'projected' : 'running';
  const stage: ClockStage = { ...computed, state, alarms: [] };
  if (state === 'running') skipPassedReminders(stage, clock.policy, nowMs);
  return stage;
}

export function findClock(state: IncidentState, id: string): DeadlineClock | undefined {
  return state.status.clocks.find((clock) => clock.id === id);
}

function settleIfDone(clock: DeadlineClock, at: string): void {
  if (clock.stages.some((stage) => stage.state === 'running' || stage.state === 'projected')) return;
  clock.state = 'stopped';
  clock.stoppedAt ??= at;
}

/** The stage a notice satisfies: the running stage due first (NIS2: the early warning before the notification). */
function nextDueStage(clock: DeadlineClock): ClockStage | undefined {
  return clock.stages.filter((stage) => stage.state === 'running').sort((a, b) => Date.parse(a.dueAt!) - Date.parse(b.dueAt!))[0];
}

/**
 * Records that the step sending a notice completed at `at`: the clock's next-due stage is submitted, on time or late
 * and by how much. Stages chained from it are recomputed by the clock's loop. A stop for a clock that is not running
 * is recorded, not an error: a `when` branch may have skipped the start.
 */
export function submitStages(state: IncidentState, clockIds: readonly string[], at: string, stepId: string): void {
  for (const id of clockIds) {
    const clock = findClock(state, id);
    const stage = clock && clock.state === 'running' ? nextDueStage(clock) : undefined;
    if (!clock || !stage) {
      addTimeline(state, { at, event: 'clock.stop_unmatched', stepId, detail: `${id}: no running stage to stop` });
      continue;
    }
    const marginMs = Date.parse(stage.dueAt!) - Date.parse(at);
    stage.submittedAt = at;
    stage.state = marginMs >= 0 ? 'on-time' : 'late';
    if (marginMs >= 0) stage.spareMs = marginMs;
    else stage.lateByMs = -marginMs;
    stage.atRisk = false;
    const target = stage.kind === 'open' ? 'internal target' : 'deadline';
    const verdict = marginMs >= 0 ? `on time, ${humanDuration(marginMs)} before the ${target}` : `late by ${humanDuration(-marginMs)} after the ${target}`;
    addTimeline(state, { at, event: 'clock.stopped', stepId, detail: `${clock.id}/${stage.stageId}: ${verdict} (${stage.dueAt})` });
    clock.revision += 1;
    settleIfDone(clock, at);
  }
}

/** A person ends a duty without a submission (e.g. "not notifiable: risk assessment attached"); the reason is recorded. */
export function stopClock(state: IncidentState, id: string, stop: { at: string; by: string; reason: string; stepId?: string }): void {
  const clock = findClock(state, id);
  if (!clock || clock.state !== 'running') {
    addTimeline(state, { at: stop.at, event: 'clock.stop_unmatched', stepId: stop.stepId, actor: stop.by, detail: `${id}: not running` });
    return;
  }
  const open = clock.stages.filter((stage) => stage.state === 'running' || stage.state === 'projected' || stage.state === 'pending');
  for (const stage of open) {
    stage.state = 'stopped';
    stage.atRisk = false;
  }
  Object.assign(clock, { state: 'stopped', stoppedAt: stop.at, stoppedBy: stop.by, stopReason: stop.reason });
  clock.revision += 1;
  addTimeline(state, { at: stop.at, event: 'clock.stopped', stepId: stop.stepId, actor: stop.by, detail: `${id}: stopped (${open.map((s) => s.stageId).join(', ')}): ${stop.reason}` });
}

/** When the incident closes with clocks still running, the open duties are put on the record rather than dropped. */
export function recordOpenClocksAtClose(state: IncidentState, at: string): void {
  for (const clock of state.status.clocks) {
    if (clock.state !== 'running') continue;
    const open = clock.stages.filter((stage) => stage.state === 'running' || stage.state === 'projected');
    addTimeline(state, { at, event: 'clock.open_at_close', detail: `${clock.id}: ${open.map((s) => `${s.stageId} due ${s.dueAt ?? '?'}`).join('; ')}` });
  }
}
