import type { IncidentListing } from '../../incident-client';
import type { IncidentStatus } from '../../../workflows/incident/state';

/** A short status for an ephemeral reply; the live view is the pinned message in the incident channel. */
export function statusText(status: IncidentStatus): string {
  const waiting = status.steps.filter((s) => s.state === 'waiting' || s.state === 'blocked').map((s) => s.id);
  return [
    `*${status.title}* — ${status.severity}, ${status.phase}`,
    `\`${status.incidentId}\` · runbook ${status.runbook.id} v${status.runbook.version} · opened by ${status.openedBy}`,
    waiting.length > 0 ? `Waiting on: ${waiting.join(', ')}` : 'Waiting on nothing',
  ].join('\n');
}

/** Open incidents as the list command shows them, newest first. */
export function incidentListText(incidents: readonly IncidentListing[]): string {
  const lines = incidents.map((i) => `• \`${i.id}\` since ${i.startedAt.slice(0, 16)}Z`);
  return lines.length > 0 ? `*Open incidents*\n${lines.join('\n')}` : 'No open incidents.';
}
