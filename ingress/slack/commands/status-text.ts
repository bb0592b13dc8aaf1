import type { Client } from '@temporalio/client';
import type { IncidentStatus } from '../../../workflows/incident/state';

const LIST_LIMIT = 20;

/** A short status for an ephemeral reply; the live view is the pinned message in the incident channel. */
export function statusText(status: IncidentStatus): string {
  const waiting = status.steps.filter((s) => s.state === 'waiting' || s.state === 'blocked').map((s) => s.id);
  return [
    `*${status.title}* — ${status.severity}, ${status.phase}`,
    `\`${status.incidentId}\` · runbook ${status.runbook.id} v${status.runbook.version} · opened by ${status.openedBy}`,
    waiting.length > 0 ? `Waiting on: ${waiting.join(', ')}` : 'Waiting on nothing',
  ].join('\n');
}

/** Running incidents, newest first, at most LIST_LIMIT. */
export async function listIncidentsText(client: Client): Promise<string> {
  const lines: string[] = [];
  for await (const info of client.workflow.list({ query: `WorkflowType = 'incidentWorkflow' AND ExecutionStatus = 'Running'`, pageSize: LIST_LIMIT })) {
    lines.push(`• \`${info.workflowId}\` since ${info.startTime.toISOString().slice(0, 16)}Z`);
    if (lines.length >= LIST_LIMIT) break;
  }
  return lines.length > 0 ? `*Open incidents*\n${lines.join('\n')}` : 'No open incidents.';
}
