import type { Runbook } from '../runbooks/schema/runbook';
import type { IncidentStatus } from '../workflows/incident/state';

export interface Viewer {
  id: string;
  roles: readonly string[];
}

/** Roles that see every incident: the incident commander runs them all, the auditor checks them all. */
const SEE_ALL = ['incident-commander', 'auditor'];

/** The organisation roles a runbook names (a runbook role without a mapping stands for the organisation role of its name). */
export function runbookRoles(runbook: Pick<Runbook, 'roles'> | undefined): string[] {
  if (!runbook) return [];
  return [...new Set(Object.entries(runbook.roles).flatMap(([role, mapped]) => [role, ...mapped]))];
}

/**
 * Who may see an incident in the console: those holding a role that sees everything, a role of its runbook, or who
 * took part in it (opened it, requested or decided an approval, appear on its timeline).
 * TODO(#15): replace with the read-access policy module when it lands; this is the one place the console asks.
 */
export function mayView(viewer: Viewer, status: Pick<IncidentStatus, 'openedBy' | 'approvals' | 'timeline'>, roles: readonly string[]): boolean {
  if (viewer.roles.some((r) => SEE_ALL.includes(r) || roles.includes(r))) return true;
  if (status.openedBy === viewer.id) return true;
  if (status.approvals.some((a) => a.requestedBy === viewer.id || a.decisions.some((d) => d.by === viewer.id))) return true;
  return status.timeline.some((t) => t.actor === viewer.id);
}
