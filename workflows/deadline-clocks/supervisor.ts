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
function fireDueAlarms(state: IncidentState, clock: DeadlineClock): number | undefined {
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
