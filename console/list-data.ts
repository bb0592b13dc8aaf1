import type { WorkflowExecutionInfo } from '@temporalio/client';
import { mayViewListed, participants } from '../ingress/access/read-policy';
import type { IncidentClient } from '../ingress/incident-client';
import { summaryMemo } from '../ingress/incident-listing';
import type { Runbook } from '../runbooks/schema/runbook';
import { incidentSummary } from '../workflows/incident/summary';
import type { Viewer } from './access';
import { type ListFilters, type ListRow, matches } from './pages/incident-list';

export interface ListDeps {
  incidents: Pick<IncidentClient, 'listed' | 'status'>;
  runbook: (id: string) => Promise<Runbook | undefined>;
}

/** Rows on one page of the list. */
export const PAGE = 50;
/** Incidents the list looks through for one page, newest first; older ones need a narrower filter. */
const SCAN = 1_000;
/** Listing page size once the first page did not fill the list (permissions or filters dropped rows). */
const SCAN_PAGE = 200;

/**
 * The row of a listed incident: from its summary memo alone (the incident keeps it current), so a page costs one
 * visibility call. A closed run whose memo still says running (terminated, timed out) shows Temporal's status. Only an
 * incident started before the memo existed is asked for its status.
 */
async function rowOf(info: WorkflowExecutionInfo, deps: ListDeps): Promise<ListRow | undefined> {
  const base = { id: info.workflowId, startedAt: info.startTime.toISOString() };
  const summary = summaryMemo(info);
  if (summary) {
    const closedOutside = summary.phase === 'running' && info.status.name !== 'RUNNING';
    return { ...base, summary, state: closedOutside ? info.status.name.toLowerCase() : summary.phase };
  }
  const status = await deps.incidents.status(info.workflowId);
  if (!status.ok) return undefined;
  return { ...base, summary: incidentSummary(status.value, participants(status.value)), state: status.value.phase };
}

/** The first page of incidents the viewer may see that pass the filters; `more` when the page filled up. */
export async function listIncidents(deps: ListDeps, viewer: Viewer, filters: ListFilters): Promise<{ rows: ListRow[]; more: boolean } | undefined> {
  const runbooks = new Map<string, Promise<Runbook | undefined>>();
  const runbookOf = (id: string) => {
    if (!runbooks.has(id)) runbooks.set(id, deps.runbook(id));
    return runbooks.get(id)!;
  };
  const rows: ListRow[] = [];
  let cursor: string | undefined;
  for (let scanned = 0; scanned < SCAN && rows.length < PAGE; ) {
    const listed = await deps.incidents.listed({ running: filters.state === 'running', limit: scanned === 0 ? PAGE : SCAN_PAGE, cursor });
    if (!listed.ok) return undefined;
    scanned += listed.value.infos.length;
    for (const row of await Promise.all(listed.value.infos.map((info) => rowOf(info, deps)))) {
      if (!row || rows.length >= PAGE || !matches(row, filters)) continue;
      // A row left out is not a refusal (nothing was asked for by name), so it is not audited; opening one is.
      if (mayViewListed(viewer, row.summary.people, await runbookOf(row.summary.runbook.id)).allowed) rows.push(row);
    }
    cursor = listed.value.next;
    if (!cursor) break;
  }
  return { rows, more: rows.length >= PAGE };
}
