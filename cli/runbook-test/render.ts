import type { PinnedRunbook } from '../../runbooks/schema/runbook';
import type { IncidentStatus, StepRecord } from '../../workflows/incident/state';
import type { RunbookTestReport } from './driver';
import type { RunbookTestScript } from './script';
import { allSteps } from './steps';

function detail(record: StepRecord, status: IncidentStatus, report: RunbookTestReport, pinned: PinnedRunbook): string {
  const step = allSteps(pinned.runbook.steps).find((s) => s.id === record.id);
  const result = (record.result ?? {}) as Record<string, unknown>;
  if (record.error) return `${step?.kind === 'action' ? `${step.action} ` : ''}failed: ${record.error.type ?? record.error.message}`;
  switch (step?.kind) {
    case 'action':
      return step.action;
    case 'input':
      return record.state === 'done' ? `answered ${JSON.stringify(status.answers[record.id])} by ${report.moves.find((m) => m.step === record.id && !m.refused)?.by ?? '?'}` : 'waiting for an answer';
    case 'approval': {
      const approval = status.approvals.find((a) => a.stepId === record.id);
      const decisions = (approval?.decisions ?? []).map((d) => `${d.decision}d by ${d.by}`).join(', ');
      return `${decisions || 'no decision'}${approval?.escalatedAt ? ' (escalated after timeout)' : ''}`;
    }
    case 'when':
      return result.condition ? 'condition true: steps' : 'condition false: otherwise';
    case 'wait': {
      const skipped = report.timersSkipped.find((t) => t.step === record.id);
      return skipped ? `timer ${skipped.duration} skipped` : 'timer';
    }
    case 'clock':
      return [...((result.started as string[]) ?? []).map((c) => `start ${c}`), ...((result.stopped as string[]) ?? []).map((c) => `stop ${c}`)].join(', ');
    case 'runbook':
      return `child ${step.runbook}: ${String(result.phase ?? 'running')}`;
    default:
      return '';
  }
}

function pathLines(status: IncidentStatus, report: RunbookTestReport, pinned: PinnedRunbook, children: Record<string, PinnedRunbook>, indent: string): string[] {
  const lines: string[] = [];
  const width = Math.max(0, ...status.steps.map((s) => s.id.length));
  for (const record of status.steps) {
    lines.push(`${indent}${record.id.padEnd(width)}  ${record.kind.padEnd(8)}  ${record.state.padEnd(11)}  ${detail(record, status, report, pinned)}`.trimEnd());
    const child = report.children[record.id];
    const childRunbook = allSteps(pinned.runbook.steps).find((s) => s.id === record.id);
    if (child && childRunbook?.kind === 'runbook' && children[childRunbook.runbook]) {
      lines.push(...pathLines(child, report, children[childRunbook.runbook]!, children, `${indent}    `));
    }
  }
  const ran = new Set(status.steps.map((s) => s.id));
  const notReached = allSteps(pinned.runbook.steps).filter((s) => !ran.has(s.id)).map((s) => s.id);
  if (notReached.length > 0) lines.push(`${indent}not reached: ${notReached.join(', ')}`);
  return lines;
}

/** Ids of every step that ran, in the root and in child runbooks. */
export function reachedSteps(report: RunbookTestReport): Set<string> {
  return new Set([report.status, ...Object.values(report.children)].flatMap((s) => s.steps.map((step) => step.id)));
}

/** What the script's `expect` asked for and the run did not show, one line each. */
export function unmetExpectations(report: RunbookTestReport, script: RunbookTestScript): string[] {
  const expect = script.expect;
  if (!expect) return [];
  const reached = reachedSteps(report);
  return [
    ...(expect.phase && expect.phase !== report.status.phase ? [`expected phase ${expect.phase}, got ${report.status.phase}`] : []),
    ...expect.reached.filter((id) => !reached.has(id)).map((id) => `expected ${id} to be reached`),
    ...expect.notReached.filter((id) => reached.has(id)).map((id) => `expected ${id} not to be reached`),
  ];
}

/** The path a runbook took, as `runbook test` prints it. */
export function renderRunbookTest(report: RunbookTestReport, pinned: PinnedRunbook, children: Record<string, PinnedRunbook>, script: RunbookTestScript): string {
  const { runbook, sha256 } = pinned;
  const lines = [`runbook ${runbook.id} v${runbook.version} (sha256 ${sha256.slice(0, 12)})`, 'path:', ...pathLines(report.status, report, pinned, children, '  ')];
  for (const move of report.moves.filter((m) => m.refused)) lines.push(`refused: ${move.kind} on ${move.step} by ${move.by}: ${move.refused}`);
  if (report.stuckOn.length > 0) lines.push(`stopped: waiting on ${report.stuckOn.join(', ')} with no scripted move`);
  if (report.unusedMoves.length > 0) lines.push(`unused script moves: ${report.unusedMoves.join(', ')}`);
  for (const miss of unmetExpectations(report, script)) lines.push(`expectation failed: ${miss}`);
  const liftWords = { lifted: 'lifted at', cancelled: 'cancelled by the abort (undone once), was due', armed: 'armed: lifts at', failed: 'failed, was due' } as const;
  for (const lift of report.lifts) lines.push(`expiry ${lift.step}: ${liftWords[lift.outcome]} ${lift.at}`);
  for (const action of report.actions.filter((a) => a.plan)) {
    for (const call of action.plan!) {
      // The HTTP request itself, where the operation's name does not already show it.
      const request = call.request as { method?: string; url?: string } | undefined;
      const sent = request?.url && !call.operation.includes(request.url) ? ` (${request.method} ${request.url})` : '';
      lines.push(`plan ${action.key.endsWith('/undo') ? `${action.stepId} (undo)` : action.stepId}: ${call.operation}${sent}${call.when ? ` (when ${call.when})` : ''}`);
    }
  }
  const timers = report.timersSkipped.map((t) => t.duration);
  const undone = report.actions.filter((a) => a.key.endsWith('/undo')).length;
  lines.push(
    `outcome: ${report.status.phase}; ${report.status.steps.length} steps; ${report.actions.length} actions recorded (${undone} undo); ` +
      `${report.moves.length} scripted moves; ${timers.length} timers skipped${timers.length ? ` (${timers.join(', ')})` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}
