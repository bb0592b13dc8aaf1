import { humanDuration } from '../workflows/deadline-clocks/durations';
import type { ClockStage, DeadlineClock } from '../workflows/deadline-clocks/types';

function stageLine(stage: ClockStage, nowMs: number): string {
  const due = stage.dueAt ? ` due ${stage.dueAt}${stage.kind === 'open' ? ' (internal target)' : ''}` : '';
  switch (stage.state) {
    case 'running': {
      const left = Date.parse(stage.dueAt!) - nowMs;
      const when = left >= 0 ? `${humanDuration(left)} left` : `MISSED ${humanDuration(-left)} ago`;
      return `${due}, ${when}${stage.atRisk ? ' [at risk]' : ''}`;
    }
    case 'on-time':
      return `${due}: submitted ${stage.submittedAt}, on time (${humanDuration(stage.spareMs ?? 0)} to spare)`;
    case 'late':
      return `${due}: submitted ${stage.submittedAt}, LATE by ${humanDuration(stage.lateByMs ?? 0)}`;
    case 'projected':
      return `${due} projected; recomputed when ${stage.chainsFrom} is submitted`;
    default:
      return ` ${stage.state}`;
  }
}

/** The deadline-clock section of the incident view; time left is judged against `nowMs` (the reader's clock). */
export function renderClocks(clocks: readonly DeadlineClock[] | undefined, nowMs: number): string[] {
  if (!clocks || clocks.length === 0) return [];
  const lines = ['', 'deadline clocks:'];
  for (const clock of clocks) {
    const stopped = clock.stopReason ? ` — stopped by ${clock.stoppedBy}: ${clock.stopReason}` : '';
    lines.push(`  ${clock.id} [${clock.state}] ${clock.recipient}; from ${clock.triggeredAt}, started by ${clock.startedBy} (${clock.reason})${stopped}`);
    for (const stage of clock.stages) lines.push(`    ${stage.stageId}:${stageLine(stage, nowMs)}`);
  }
  return lines;
}
