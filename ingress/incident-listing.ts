import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import type { IncidentInput } from '../workflows/incident/messages';
import { type IncidentSummary, SUMMARY_MEMO_KEY } from '../workflows/incident/summary';

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

/** The API row fields a summary memo answers (see IncidentListing in incident-client.ts). */
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
