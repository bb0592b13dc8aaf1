import type { IncidentStatus } from '../workflows/incident/state';
import { renderClocks } from './render-clocks';

/** A responder's view of one incident: what happened, what waits on whom, and the timeline. */
export function renderIncident(s: IncidentStatus, nowMs: number = Date.now()): string {
  const lines = [
    `${s.incidentId}  [${s.phase}]  ${s.severity}  ${s.title}`,
    `runbook ${s.runbook.id} v${s.runbook.version} (sha256 ${s.runbook.sha256.slice(0, 12)}…), opened by ${s.openedBy} at ${s.openedAt}${s.closedAt ? `, closed ${s.closedAt}` : ''}`,
    `alerts: ${s.alerts.count} (${s.alerts.status}${s.alerts.lastSeenAt ? `, last ${s.alerts.lastSeenAt}` : ''})`,
    '',
    'steps:',
    ...s.steps.map((step) => `  ${step.state.padEnd(11)} ${step.id} (${step.kind})${step.error ? ` — ${step.error.message}` : ''}`),
  ];
  const pending = s.approvals.filter((a) => !a.decisions.some((d) => d.decision === 'reject') && new Set(a.decisions.map((d) => d.by)).size < a.approversNeeded);
  if (pending.length > 0) {
    lines.push('', 'waiting for approval:');
    for (const a of pending) lines.push(`  ${a.stepId}: role ${a.role} (${a.allowedRoles.join(', ')}), ${a.approversNeeded} approver(s), not ${a.requestedBy}`);
  }
  const batches = Object.entries(s.batches ?? {});
  if (batches.length > 0) {
    lines.push('', 'notice batches:');
    for (const [stepId, b] of batches) {
      lines.push(`  ${stepId}: ${b.sent + b.alreadySent + b.failed}/${b.total} — ${b.sent} sent, ${b.alreadySent} already sent, ${b.failed} failed (${b.state === 'done' ? 'done' : `running, as of ${b.updatedAt}`})`);
    }
  }
  if (s.pendingInputs.length > 0) {
    lines.push('', 'waiting for an answer:');
    for (const i of s.pendingInputs) lines.push(`  ${i.stepId}: ${i.ask} (${i.type}${i.choices ? `: ${i.choices.join('/')}` : ''}; role ${i.role})`);
  }
  lines.push(...renderClocks(s.clocks, nowMs));
  lines.push('', 'timeline:');
  for (const t of s.timeline) lines.push(`  ${t.at}  ${t.event}${t.stepId ? ` ${t.stepId}` : ''}${t.actor ? ` by ${t.actor}` : ''}${t.detail ? ` — ${t.detail}` : ''}`);
  return lines.join('\n');
}
