import type { Client } from '@temporalio/client';
import { Gauge, type Registry } from 'prom-client';
import type { DeadlineClock } from '../../workflows/deadline-clocks/types';
import { statusQuery } from '../../workflows/incident/definitions';
import type { IncidentStatus } from '../../workflows/incident/state';

/*
 * Deadline clocks in /metrics, computed when Prometheus scrapes. The clock's state lives in each incident workflow; the
 * `incident.publish` activity sees the clock.* timeline entries, but it runs in the worker process, and with
 * `firebreak worker` and `firebreak serve` the worker is not the process serving /metrics. Counting events there would
 * also start from zero after every worker restart and split across worker replicas. So the service asks the source of
 * truth instead, as `GET /v1/incidents` does: list this deployment's running incidents (visibility API) and query each
 * one's status with a short deadline. That is correct in `npm start`, in split deployments and across restarts.
 *
 * The cost is one query per running incident per scrape, so the list is capped; incidents past the cap or whose query
 * fails are counted in `firebreak_deadline_clocks_unread_incidents`, so a dashboard can tell "0 missed" from "unknown".
 *
 * A clock still running when its incident closed (completed, aborted or failed) is a legal duty nobody discharged: the
 * close records it (`clock.open_at_close`) but cannot end it, so it stays in the gauges. Its incident no longer runs
 * timers, so its state comes from the due times. Closed incidents are read from their final status (the workflow
 * result, which needs no worker and never changes, so each is read once per process) for as long as the namespace
 * keeps them (its retention period).
 */

/** Incidents read per scrape; a deployment with more open incidents sees the rest as unread. */
export const CLOCK_METRICS_MAX_INCIDENTS = 200;
/** Per status query: one incident whose worker is gone must not stall the scrape (Prometheus times out at 10 s by default). */
export const CLOCK_METRICS_QUERY_DEADLINE_MS = 2_000;

/** How long one read serves later collections: longer than one scrape takes to collect, far shorter than an interval. */
const SHARED_READ_MS = 1_000;

export type ClockMetricState = 'running' | 'at_risk' | 'missed';

/**
 * The one state a running clock is counted under, the worst of its running stages: `missed` once a deadline passed
 * without the notice, `at_risk` once the near-deadline escalation fired, else `running`. Stopped clocks (submitted or
 * stopped with a reason) are not counted. The flags come from the incident's timers; the due times stand in for them
 * where no timer runs any more (the incident closed) and where a timer is late.
 */
export function clockMetricState(clock: DeadlineClock, nowMs: number): ClockMetricState | undefined {
  if (clock.state !== 'running') return undefined;
  const open = clock.stages.filter((stage) => stage.state === 'running');
  const dueMs = (stage: (typeof open)[number]) => (stage.dueAt === undefined ? Infinity : Date.parse(stage.dueAt));
  if (open.some((stage) => stage.missed || dueMs(stage) <= nowMs)) return 'missed';
  if (open.some((stage) => stage.atRisk || dueMs(stage) - clock.policy.nearLeftMs <= nowMs)) return 'at_risk';
  return 'running';
}

interface ClockCounts {
  byState: Record<ClockMetricState, number>;
  unread: number;
  /** The running incidents' status as read for this scrape: the step gauges (step-metrics.ts) count from it too. */
  running: IncidentStatus[];
}

type Run = { workflowId: string; runId: string };

/** The running incidents, or (`Completed`) the closed ones; past `cap` only counted. */
async function listIncidents(client: Client, taskQueue: string, status: 'Running' | 'Completed', cap: number): Promise<{ runs: Run[]; over: number }> {
  const listed: { runs: Run[]; over: number } = { runs: [], over: 0 };
  const query = `WorkflowType = 'incidentWorkflow' AND TaskQueue = '${taskQueue}' AND ExecutionStatus = '${status}'`;
  for await (const info of client.workflow.list({ query, pageSize: 100 })) {
    if (listed.runs.length >= cap) listed.over += 1;
    else listed.runs.push({ workflowId: info.workflowId, runId: info.runId });
  }
  return listed;
}

/**
 * Counts clocks of running incidents (queried live) and clocks left running in closed ones (`openAtClose`: per run id,
 * the clocks its final status holds still running; filled here, pruned to what visibility still lists).
 */
async function countClocks(client: Client, taskQueue: string, openAtClose: Map<string, DeadlineClock[]>): Promise<ClockCounts> {
  const counts: ClockCounts = { byState: { running: 0, at_risk: 0, missed: 0 }, unread: 0, running: [] };
  const withDeadline = <T>(read: () => Promise<T>) => client.connection.withDeadline(Date.now() + CLOCK_METRICS_QUERY_DEADLINE_MS, read);
  const clocks: DeadlineClock[] = [];
  const running = await listIncidents(client, taskQueue, 'Running', CLOCK_METRICS_MAX_INCIDENTS);
  // Every closed incident is listed (cheap), so the cache can be pruned; only unread ones cost a fetch.
  const closed = await listIncidents(client, taskQueue, 'Completed', Infinity);
  const listedClosed = new Set(closed.runs.map((run) => run.runId));
  for (const runId of openAtClose.keys()) if (!listedClosed.has(runId)) openAtClose.delete(runId);
  const unreadClosed = closed.runs.filter((run) => !openAtClose.has(run.runId));
  counts.unread += running.over + Math.max(0, unreadClosed.length - CLOCK_METRICS_MAX_INCIDENTS);
  await Promise.all([
    ...running.runs.map(async ({ workflowId, runId }) => {
      try {
        const status = await withDeadline(() => client.workflow.getHandle(workflowId, runId).query(statusQuery));
        counts.running.push(status);
        clocks.push(...(status.clocks ?? []));
      } catch {
        counts.unread += 1;
      }
    }),
    ...unreadClosed.slice(0, CLOCK_METRICS_MAX_INCIDENTS).map(async ({ workflowId, runId }) => {
      try {
        const final: IncidentStatus = await withDeadline(() => client.workflow.getHandle(workflowId, runId, { followRuns: false }).result());
        openAtClose.set(runId, (final.clocks ?? []).filter((clock) => clock.state === 'running'));
      } catch {
        counts.unread += 1;
      }
    }),
  ]);
  const nowMs = Date.now();
  for (const clock of [...clocks, ...[...openAtClose.values()].flat()]) {
    const state = clockMetricState(clock, nowMs);
    if (state) counts.byState[state] += 1;
  }
  return counts;
}

/**
 * Adds `firebreak_deadline_clocks{state}` and `firebreak_deadline_clocks_unread_incidents` to `registry`, read on scrape.
 * Returns that read's running statuses, for other gauges of the same scrape.
 */
export function registerClockMetrics(registry: Registry, deps: { client: Client; taskQueue: string }): { runningStatuses: () => Promise<IncidentStatus[]> } {
  // Both gauges are collected in one scrape, and two Prometheus replicas may scrape at once: they share one read.
  let shared: { at: number; counts: Promise<ClockCounts> } | undefined;
  const openAtClose = new Map<string, DeadlineClock[]>();
  const read = (): Promise<ClockCounts> => {
    if (!shared || Date.now() - shared.at > SHARED_READ_MS) shared = { at: Date.now(), counts: countClocks(deps.client, deps.taskQueue, openAtClose) };
    return shared.counts;
  };
  new Gauge({
    name: 'firebreak_deadline_clocks',
    help: 'Deadline clocks still running, by state: running, at_risk (near-deadline escalation due), missed; includes clocks left running when their incident closed',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      // Visibility unreachable: no series rather than zeros that read as "nothing missed".
      const counts = await read().catch(() => undefined);
      if (counts) for (const [state, count] of Object.entries(counts.byState)) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'firebreak_deadline_clocks_unread_incidents',
    help: 'Incidents whose clocks and steps this scrape could not read (status query or final status failed, or over the cap)',
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await read().catch(() => undefined);
      if (counts) this.set(counts.unread);
    },
  });
  return { runningStatuses: () => read().then((counts) => counts.running) };
}
