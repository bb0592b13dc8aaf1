import type { Client } from '@temporalio/client';
import { Gauge, type Registry } from 'prom-client';
import type { DeadlineClock } from '../../workflows/deadline-clocks/types';
import { statusQuery } from '../../workflows/incident/messages';

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
 * stopped with a reason) are not counted.
 */
export function clockMetricState(clock: DeadlineClock): ClockMetricState | undefined {
  if (clock.state !== 'running') return undefined;
  const open = clock.stages.filter((stage) => stage.state === 'running');
  if (open.some((stage) => stage.missed)) return 'missed';
  if (open.some((stage) => stage.atRisk)) return 'at_risk';
  return 'running';
}

interface ClockCounts {
  byState: Record<ClockMetricState, number>;
  unread: number;
}

async function countClocks(client: Client, taskQueue: string): Promise<ClockCounts> {
  const counts: ClockCounts = { byState: { running: 0, at_risk: 0, missed: 0 }, unread: 0 };
  const ids: { workflowId: string; runId: string }[] = [];
  const query = `WorkflowType = 'incidentWorkflow' AND TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`;
  for await (const info of client.workflow.list({ query, pageSize: 100 })) {
    if (ids.length >= CLOCK_METRICS_MAX_INCIDENTS) counts.unread += 1;
    else ids.push({ workflowId: info.workflowId, runId: info.runId });
  }
  await Promise.all(
    ids.map(async ({ workflowId, runId }) => {
      try {
        const status = await client.connection.withDeadline(Date.now() + CLOCK_METRICS_QUERY_DEADLINE_MS, () => client.workflow.getHandle(workflowId, runId).query(statusQuery));
        for (const clock of status.clocks ?? []) {
          const state = clockMetricState(clock);
          if (state) counts.byState[state] += 1;
        }
      } catch {
        counts.unread += 1;
      }
    }),
  );
  return counts;
}

/** Adds `firebreak_deadline_clocks{state}` and `firebreak_deadline_clocks_unread_incidents` to `registry`, read on scrape. */
export function registerClockMetrics(registry: Registry, deps: { client: Client; taskQueue: string }): void {
  // Both gauges are collected in one scrape, and two Prometheus replicas may scrape at once: they share one read.
  let shared: { at: number; counts: Promise<ClockCounts> } | undefined;
  const read = (): Promise<ClockCounts> => {
    if (!shared || Date.now() - shared.at > SHARED_READ_MS) shared = { at: Date.now(), counts: countClocks(deps.client, deps.taskQueue) };
    return shared.counts;
  };
  new Gauge({
    name: 'firebreak_deadline_clocks',
    help: 'Deadline clocks of running incidents by state: running, at_risk (near-deadline escalation fired), missed',
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
    help: 'Running incidents whose clocks this scrape could not read (status query failed, or over the cap)',
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await read().catch(() => undefined);
      if (counts) this.set(counts.unread);
    },
  });
}
