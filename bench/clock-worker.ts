import { NativeConnection, Worker } from '@temporalio/worker';
import { createDeadlineActivities } from '../activities/deadlines/compute';
import type { PublishTimelineRequest } from '../workflows/incident/timeline-publisher';

/*
 * The worker of one side of bench/clocks.ts, in a process of its own so its RSS is the worker's alone. Started by
 * `fork` with CLOCK_WORKER (JSON: ClockWorkerSetup); reports to the parent every 500 ms until told to stop. The
 * audit publisher is the probe: an incident's `clock.started` entries reach it once its timers are armed (the
 * publish goes out as the incident comes to rest), and its `clock.missed` entries carry the workflow time they fired.
 * Each incident's alarms are due at the time its id carries (`bench/<side>/<due ms>/<uuid>`).
 */

/** The due time an incident id carries. */
export const dueOf = (incidentId: string): number => Number(incidentId.split('/')[2]);

export interface ClockWorkerSetup {
  address: string;
  namespace: string;
  taskQueue: string;
  bundlePath: string;
  maxCachedWorkflows: number;
  clocksPerIncident: number;
}

export interface ClockWorkerReport {
  rss: number;
  /** CPU time the worker process has used since it started (user + system, all threads), ms. */
  cpuMs: number;
  /** Incidents whose clocks all reported started since the last report. */
  armed: string[];
  /** Lateness of each `clock.missed` since the last report, ms. */
  lateness: number[];
}

async function main(): Promise<void> {
  const setup = JSON.parse(process.env.CLOCK_WORKER!) as ClockWorkerSetup;
  const started = new Map<string, number>();
  let report: ClockWorkerReport = { rss: 0, cpuMs: 0, armed: [], lateness: [] };
  const publish = async (request: PublishTimelineRequest) => {
    for (const entry of request.entries) {
      if (entry.event === 'clock.started') {
        const n = (started.get(request.incidentId) ?? 0) + 1;
        started.set(request.incidentId, n);
        if (n === setup.clocksPerIncident) report.armed.push(request.incidentId);
      } else if (entry.event === 'clock.missed') {
        report.lateness.push(Date.parse(entry.at) - dueOf(request.incidentId));
      }
    }
    return { published: request.entries.length };
  };
  const connection = await NativeConnection.connect({ address: setup.address });
  const worker = await Worker.create({
    connection,
    namespace: setup.namespace,
    taskQueue: setup.taskQueue,
    workflowBundle: { codePath: setup.bundlePath },
    activities: { ...createDeadlineActivities(), 'incident.publish': publish },
    maxCachedWorkflows: setup.maxCachedWorkflows,
  });
  const send = () => {
    const cpu = process.cpuUsage();
    process.send!({ ...report, rss: process.memoryUsage().rss, cpuMs: Math.round((cpu.user + cpu.system) / 1000) });
    report = { rss: 0, cpuMs: 0, armed: [], lateness: [] };
  };
  send(); // the first report: ready, at idle
  const timer = setInterval(send, 500);
  process.on('message', (message) => {
    if (message === 'stop') worker.shutdown();
  });
  await worker.run();
  clearInterval(timer);
  send();
  await connection.close();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
