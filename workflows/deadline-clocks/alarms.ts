import { humanDuration } from './durations';
import type { ClockPolicy, ClockStage } from './types';

/** What an alarm does when its time comes. */
export type AlarmKind = 'reminder' | 'near' | 'missed';

export interface Alarm {
  /** Stable within a stage (`used-50`, `left-1h`, `near`, `missed`): fired ids are remembered on the stage. */
  id: string;
  kind: AlarmKind;
  atMs: number;
  label: string;
}

/** Every alarm of a running stage with a due time, earliest first. Pure: a function of the stage and the policy. */
export function stageAlarms(stage: ClockStage, policy: ClockPolicy): Alarm[] {
  if (stage.dueAt === undefined) return [];
  const due = Date.parse(stage.dueAt);
  const start = stage.startsAt !== undefined ? Date.parse(stage.startsAt) : undefined;
  const alarms: Alarm[] = [];
  if (start !== undefined && due > start) {
    for (const fraction of policy.remindAt) {
      const percent = Math.round(fraction * 100);
      alarms.push({ id: `used-${percent}`, kind: 'reminder', atMs: start + Math.round(fraction * (due - start)), label: `${percent}% of the time used` });
    }
  }
  for (const before of policy.remindBeforeMs) alarms.push({ id: `left-${humanDuration(before)}`, kind: 'reminder', atMs: due - before, label: `${humanDuration(before)} left` });
  alarms.push({ id: 'near', kind: 'near', atMs: due - policy.nearLeftMs, label: `${humanDuration(policy.nearLeftMs)} left` });
  alarms.push({ id: 'missed', kind: 'missed', atMs: due, label: 'deadline passed' });
  // Ties: the reminder first, then the escalation, so the timeline reads in order of severity.
  const order: Record<AlarmKind, number> = { reminder: 0, near: 1, missed: 2 };
  return alarms.sort((a, b) => a.atMs - b.atMs || order[a.kind] - order[b.kind]);
}

/** Alarms of the stage not fired yet. */
export function unfiredAlarms(stage: ClockStage, policy: ClockPolicy): Alarm[] {
  return stageAlarms(stage, policy).filter((alarm) => !stage.alarms.includes(alarm.id));
}

/**
 * For a stage that starts running at `nowMs` (a trigger stated in the past, or a recompute): reminders already past
 * are marked as fired without telling anyone (they would all arrive at once and say nothing new), while a near or
 * missed deadline is left to fire at once.
 */
export function skipPassedReminders(stage: ClockStage, policy: ClockPolicy, nowMs: number): void {
  for (const alarm of stageAlarms(stage, policy)) {
    if (alarm.kind === 'reminder' && alarm.atMs <= nowMs && !stage.alarms.includes(alarm.id)) stage.alarms.push(alarm.id);
  }
}
