import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { statusQuery } from '../workflows/incident/definitions';
import type { IncidentInput } from '../workflows/incident/messages';
import { type IncidentSummary, SUMMARY_MEMO_KEY } from '../workflows/incident/summary';

/** One row of `list`: always the Temporal facts; with `summaries`, what the incident's status query said. */
export interface IncidentListing {
  id: string;
  temporalStatus: string;
  startedAt: string;
  closedAt?: string;
  title?: string;
  severity?: string;
  phase?: string;
  runbook?: string;
  waitingOn?: string[];
  alerts?: number;
  /** The closed incident of the same alert fingerprint this one succeeds. */
  reopenedFrom?: string;
}

/** One incident whose worker is gone must not stall a whole list: each status query gets two seconds. */
const STATUS_QUERY_DEADLINE_MS = 2_000;

/**
 * What an incident's list row shows without asking its workflow: set as the memo when it starts (the payload codec
 * encrypts memos like every payload) and carried by Temporal across continue-as-new.
 */
export interface ListingMemo {
  title: string;
  severity: string;
  runbook: string;
  openedAt: string;
  reopenedFrom?: string;
}

export function listingMemo(input: Pick<IncidentInput, 'title' | 'severity' | 'pinned' | 'openedAt' | 'reopenedFrom'>): Record<string, unknown> {
  const memo: ListingMemo = {
    title: input.title,
    severity: input.severity,
    runbook: `${input.pinned.runbook.id}@${input.pinned.runbook.version}`,
    openedAt: input.openedAt,
    ...(input.reopenedFrom && { reopenedFrom: input.reopenedFrom }),
  };
  return { listing: memo };
}

/** The memo's row fields of a listed run, when it has them (incidents started before memos show Temporal's facts only). */
export function memoRow(info: Pick<WorkflowExecutionInfo, 'memo'>): Partial<ListingMemo> {
  const memo = info.memo?.listing as Partial<ListingMemo> | undefined;
  return memo && typeof memo === 'object' ? memo : {};
}

/** The summary memo the incident workflow keeps (see workflows/incident/summary.ts), when the run has one. */
export function summaryMemo(info: Pick<WorkflowExecutionInfo, 'memo'>): IncidentSummary | undefined {
  const memo = info.memo?.[SUMMARY_MEMO_KEY] as Partial<IncidentSummary> | undefined;
  const whole = memo && typeof memo === 'object' && typeof memo.phase === 'string' && Array.isArray(memo.waiting) && Array.isArray(memo.clocks) && Array.isArray(memo.people) && memo.runbook;
  return whole ? (memo as IncidentSummary) : undefined;
}

/** The API row fields a summary memo answers. */
export function summaryListing<T extends { temporalStatus: string }>(base: T, summary: IncidentSummary) {
  // A run Temporal closed while its memo says running (terminated, timed out) has no phase of its own: temporalStatus tells.
  const closedOutside = summary.phase === 'running' && base.temporalStatus !== 'RUNNING';
  return {
    ...base,
    title: summary.title,
    severity: summary.severity,
    runbook: `${summary.runbook.id}@${summary.runbook.version}`,
    ...(!closedOutside && { phase: summary.phase }),
    ...(summary.phase === 'running' && !closedOutside && { waitingOn: [...new Set(summary.waiting.map((w) => w.stepId))] }),
    ...(summary.alerts && { alerts: summary.alerts.count }),
  };
}

/**
 * Visibility query for incidents, one row each: a run that continued as new is not the incident, its last run is (an
 * incident is one workflow id; its earlier runs are how it kept its history short).
 */
export function incidentsQuery(taskQueue: string, running: boolean): string {
  const status = running ? `ExecutionStatus = 'Running'` : `ExecutionStatus != 'ContinuedAsNew'`;
  return `WorkflowType = 'incidentWorkflow' AND TaskQueue = '${taskQueue}' AND ${status}`;
}

export interface ListingPage {
  infos: WorkflowExecutionInfo[];
  /** Opaque: pass back as `cursor` for the next page; absent on the last page. */
  next?: string;
}

/** One page of incidents, newest first, with Temporal's own page token as the cursor. */
export async function listPage(client: Client, taskQueue: string, options: { running?: boolean; limit: number; cursor?: string }): Promise<ListingPage> {
  const namespace = client.options.namespace;
  const response = await client.workflowService.listWorkflowExecutions({
    namespace,
    query: incidentsQuery(taskQueue, options.running ?? false),
    pageSize: options.limit,
    nextPageToken: options.cursor ? Buffer.from(options.cursor, 'base64url') : undefined,
  });
  const infos = await Promise.all(response.executions.map((raw) => executionInfoFromRaw(raw, client.options.loadedDataConverter, raw, namespace)));
  const token = response.nextPageToken;
  return { infos: infos as WorkflowExecutionInfo[], ...(token && token.length > 0 && { next: Buffer.from(token).toString('base64url') }) };
}

/** A list row from the summary memo when the incident keeps one; a running incident started before it existed is asked. */
export function listingRow(client: Client, info: WorkflowExecutionInfo): Promise<IncidentListing> {
  const memo = summaryMemo(info);
  if (memo) return Promise.resolve(summaryListing(memoListing(info), memo));
  return info.status.name === 'RUNNING' ? askedListing(client, info) : Promise.resolve(memoListing(info));
}

/** A row from the listing memo alone: what a closed incident's row shows without replaying it. */
function memoListing(info: WorkflowExecutionInfo): IncidentListing {
  const memo = memoRow(info);
  return {
    id: info.workflowId,
    temporalStatus: info.status.name,
    startedAt: info.startTime.toISOString(),
    closedAt: info.closeTime?.toISOString(),
    ...(memo.title && { title: memo.title }),
    ...(memo.severity && { severity: memo.severity }),
    ...(memo.runbook && { runbook: memo.runbook }),
    ...(memo.reopenedFrom && { reopenedFrom: memo.reopenedFrom }),
  };
}

async function askedListing(client: Client, info: WorkflowExecutionInfo): Promise<IncidentListing> {
  const base = memoListing(info);
  try {
    const s = await client.withDeadline(Date.now() + STATUS_QUERY_DEADLINE_MS, () => client.workflow.getHandle(info.workflowId, info.runId).query(statusQuery));
    const waitingOn = s.steps.filter((step) => step.state === 'waiting' || step.state === 'blocked').map((step) => step.id);
    return { ...base, title: s.title, severity: s.severity, phase: s.phase, runbook: `${s.runbook.id}@${s.runbook.version}`, waitingOn, alerts: s.alerts.count };
  } catch {
    return base;
  }
}
