import type { Runbook } from '../runbooks/schema/runbook';
import type { IncidentStatus } from '../workflows/incident/state';
import { mayViewIncident, type Viewer } from '../ingress/access/read-policy';

export type { Viewer };

/**
 * Whether a list row is shown: the read policy every edge uses (ingress/access). A row left out is not a refusal
 * (nothing was asked for by name), so it is not audited; opening an incident goes through the read guard, which is.
 */
export function mayList(viewer: Viewer, status: Pick<IncidentStatus, 'openedBy' | 'approvals' | 'timeline'>, runbook: Pick<Runbook, 'roles'> | undefined): boolean {
  return mayViewIncident(viewer, status, runbook).allowed;
}
