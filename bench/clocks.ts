import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { stringify as toYaml } from 'yaml';
import { loadRunbookText } from '../runbooks/load';
import { bundleFirebreakWorkflows } from '../worker/bundle-workflows';
import { temporalCliPath } from '../worker/temporal-binaries';
import { WORKFLOW_CACHE_SIZE } from '../worker/temporal-worker';
import type { IncidentInput } from '../workflows/incident/messages';
import type { ClockWorkerReport, ClockWorkerSetup } from './clock-worker';

export interface ClockBenchOptions {
  /** Open incidents (default 10,000), each with 3 running clocks. */
  incidents?: number;
  /** Seconds from an incident's start to the moment its alarms are due (default 60): longer than arming takes. */
  dueAfterSeconds?: number;
  /** Incidents being started and armed at once (default 50): a steady flow, as alerts arrive, rather than one burst. */
  concurrency?: number;
}

interface Side {
  /** First start request sent → every timer armed. */
  startSeconds: number;
  /** Mean time from one incident's start request to its timers armed. */
  armMeanMs: number;
  /** Worker process RSS: idle before the first start, highest seen, and once every alarm has fired. */
  rssIdleMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  /** Worker process CPU (all threads) from ready to every alarm fired, and of that, until every timer was armed. */
  workerCpuSeconds: number;
  startCpuSeconds: number;
  latenessP50Ms: number;
  latenessP99Ms: number;
  timers: number;
  /** History events of one incident once its alarms have fired. */
  eventsPerIncident: number;
  /** The same events by type (`markerRecorded: patch` markers by patch id): where they come from. */
  eventsByType: Record<string, number>;
  /** Incidents whose timers were armed only after they were due: their lateness counts the wait to start. */
  armedAfterDue: number;
}

export interface ClockBenchFigures {
  incidents: number;
  clocksPerIncident: number;
  maxCachedWorkflows: number;
  firebreak: Side;
  bare: Side;
}

const HOURS_72 = 72 * 3_600_000;
const OBLIGATIONS = ['gdpr-art33-sa', 'ukgdpr-art33-ico', 'uk-pecr-5a'];

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const mb = (bytes: number): number => Math.round(bytes / 1e6);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts events by type; an activity or marker also by its name (the activity type, the patch id). */
function eventTypes(events: temporal.api.history.v1.IHistoryEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) {
    const type = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType);
    const patch = event.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name ?? (patch ? (JSON.parse(Buffer.from(patch).toString()) as { id: string }).id : undefined);
    const key = name === undefined ? type : `${type} ${name}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function inBatches(n: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await one(next++);
  }));
}

/** Prints `label n/total` every 5 s while `work` runs: long phases show they are moving. */
async function withProgress<T>(label: string, total: number, count: () => number, work: Promise<T>): Promise<T> {
  const t0 = performance.now();
  const timer = setInterval(() => process.stderr.write(`[clocks] ${label} ${count()}/${total} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`), 5000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** A side's worker in its own process, and what it has reported so far. */
function startWorker(setup: ClockWorkerSetup) {
  // CLOCK_WORKER_NODE_OPTIONS profiles a side's worker alone, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (Node refuses
  // --cpu-prof in NODE_OPTIONS, and there it would profile every process of the run).
  const extra = process.env.CLOCK_WORKER_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [];
  const child: ChildProcess = fork(require.resolve('./clock-worker'), [], { execArgv: [...process.execArgv, ...extra], env: { ...process.env, CLOCK_WORKER: JSON.stringify(setup) } });
  const seen = { rssIdle: 0, rssPeak: 0, rssLast: 0, cpuIdleMs: 0, cpuLastMs: 0, armed: new Set<string>(), lateness: [] as number[] };
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
    child.on('message', (report: ClockWorkerReport) => {
      if (seen.rssIdle === 0) {
        seen.rssIdle = report.rss;
        seen.cpuIdleMs = report.cpuMs;
        resolve();
      }
      seen.rssPeak = Math.max(seen.rssPeak, report.rss);
      seen.rssLast = report.rss;
      seen.cpuLastMs = report.cpuMs;
      for (const id of report.armed) seen.armed.add(id);
      seen.lateness.push(...report.lateness);
    });
  });
  const stop = () => new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.send('stop');
  });
  return { seen, ready, stop };
}

/**
 * N open incidents with 3 running 72 h clocks each on one worker: each incident is started (at most `concurrency` at
 * a time, as alerts would arrive) and counts as started once every clock is computed and its timer armed; its
 * "missed" alarms are due `dueAfterSeconds` after its start. Measured: time to start them all, the worker's RSS, and
 * how late the alarms fire (workflow time of the `clock.missed` entry minus the due time). Then the same number of
 * bare timers with the same due times in plain workflows, in the same run, on a fresh worker with the same cache bound
 * (Firebreak's). Each worker runs in a process of its own. Prints progress to stderr.
 */
export async function benchClocks(opts: ClockBenchOptions = {}): Promise<ClockBenchFigures> {
  const incidents = opts.incidents ?? 10_000;
  const concurrency = opts.concurrency ?? 50;
  const dueAfterMs = (opts.dueAfterSeconds ?? 60) * 1000;
  // CLOCK_CACHE_SIZE shrinks both sides' cache alike: a run of 2,000 through 400 entries shows the eviction churn of
  // 10,000 through the product's 2,000 in a fraction of the time.
  const maxCachedWorkflows = process.env.CLOCK_CACHE_SIZE ? Number(process.env.CLOCK_CACHE_SIZE) : WORKFLOW_CACHE_SIZE;
  if (!Number.isInteger(maxCachedWorkflows) || maxCachedWorkflows < 1) throw new Error(`CLOCK_CACHE_SIZE must be a positive integer, got ${process.env.CLOCK_CACHE_SIZE}`);
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: temporalCliPath() } } });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'firebreak-bench-clocks-'));
  try {
    const bundles = { firebreak: await bundleFirebreakWorkflows(), bare: await bundleWorkflowCode({ workflowsPath: require.resolve('./bare-timers-workflow'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } }) };
    // One pinned runbook per due second: the clocks' awareness time is what sets their deadline.
    const pinnedByDue = new Map<number, IncidentInput['pinned']>();
    const pinnedFor = (due: number): IncidentInput['pinned'] => {
      const known = pinnedByDue.get(due);
      if (known) return known;
      const loaded = loadRunbookText(toYaml({ id: 'bench-clocks', version: 1, title: 'bench', steps: [{ id: 'start', clock: { start: OBLIGATIONS, at: new Date(due - HOURS_72).toISOString() } }, { id: 'hold', wait: '1d' }] }), 'bench.yaml');
      if (!loaded.ok) throw new Error('bench runbook invalid');
      pinnedByDue.set(due, loaded.pinned);
      return loaded.pinned;
    };

    const runSide = async (kind: 'firebreak' | 'bare'): Promise<Side> => {
      const taskQueue = `bench-clocks-${kind}-${randomUUID()}`;
      const bundlePath = path.join(dir, `${kind}.js`);
      writeFileSync(bundlePath, bundles[kind].code);
      const worker = startWorker({ address: env.address, namespace: env.namespace ?? 'default', taskQueue, bundlePath, maxCachedWorkflows, clocksPerIncident: OBLIGATIONS.length });
      await worker.ready;
      const ids: string[] = [];
      let armed = 0;
      let armedAfterDue = 0;
      let armMsTotal = 0;
      let lastDue = 0;
      const started = performance.now();
      await withProgress(`${kind}: started and armed`, incidents, () => armed, inBatches(incidents, concurrency, async (i) => {
        const asked = Date.now();
        const due = Math.ceil((asked + dueAfterMs) / 1000) * 1000;
        lastDue = Math.max(lastDue, due);
        const id = `bench/${kind}/${due}/${randomUUID()}`;
        const handle = kind === 'bare'
          ? await env.client.workflow.start('bareTimersWorkflow', { taskQueue, workflowId: id, args: [OBLIGATIONS.map(() => due)] })
          : // As the service starts incidents where no Slack workspace is configured.
            await env.client.workflow.start('incidentWorkflow', { taskQueue, workflowId: id, args: [{ incidentId: id, title: `bench ${i}`, severity: 'low', openedBy: { kind: 'system', id: 'bench', roles: [] }, openedAt: new Date().toISOString(), pinned: pinnedFor(due), children: {}, config: { contacts: {} }, slackMirror: false } satisfies IncidentInput] });
        ids.push(id);
        if (kind === 'firebreak') {
          while (!worker.seen.armed.has(id)) await sleep(50);
        } else {
          // A bare workflow's timers are armed when its first workflow task completes: start, task (3), 3 timers.
          while (((await handle.describe()).historyLength ?? 0) < 4 + OBLIGATIONS.length) await sleep(50);
        }
        armMsTotal += Date.now() - asked;
        if (Date.now() > due) armedAfterDue += 1;
        armed += 1;
      }));
      const startSeconds = (performance.now() - started) / 1000;
      // As of the worker's last report (every 500 ms): close enough beside minutes of work.
      const startCpuSeconds = (worker.seen.cpuLastMs - worker.seen.cpuIdleMs) / 1000;
      if (armedAfterDue > 0) process.stderr.write(`[clocks] ${kind}: ${armedAfterDue} incidents armed after they were due: raise --clocks-due\n`);
      process.stderr.write(`[clocks] ${kind}: ${incidents} started in ${startSeconds.toFixed(1)} s; last alarms due in ${Math.max(0, (lastDue - Date.now()) / 1000).toFixed(0)} s\n`);

      const timers = incidents * OBLIGATIONS.length;
      const lateness: number[] = kind === 'firebreak' ? worker.seen.lateness : [];
      await withProgress(`${kind}: fired`, timers, () => lateness.length, (async () => {
        if (kind === 'firebreak') {
          while (lateness.length < timers) await sleep(200);
          return;
        }
        await inBatches(ids.length, concurrency, async (i) => {
          lateness.push(...(await env.client.workflow.getHandle<(due: number[]) => Promise<number[]>>(ids[i]!).result()));
        });
      })());
      // Counted once every alarm has fired, on both sides: counted as soon as all were started, the first incident's
      // alarms had fired on whichever side took longer to start its incidents than they take to fall due.
      const events = (await env.client.workflow.getHandle(ids[0]!).fetchHistory()).events ?? [];
      const eventsPerIncident = events.length;
      // One more report, so "after" is measured once everything has fired.
      await sleep(1000);
      await worker.stop();
      lateness.sort((a, b) => a - b);
      const { rssIdle, rssPeak, rssLast, cpuIdleMs, cpuLastMs } = worker.seen;
      const side: Side = {
        startSeconds,
        armMeanMs: Math.round(armMsTotal / incidents),
        rssIdleMb: mb(rssIdle),
        rssPeakMb: mb(rssPeak),
        rssAfterMb: mb(rssLast),
        workerCpuSeconds: (cpuLastMs - cpuIdleMs) / 1000,
        startCpuSeconds,
        latenessP50Ms: percentile(lateness, 50),
        latenessP99Ms: percentile(lateness, 99),
        timers: lateness.length,
        eventsPerIncident,
        eventsByType: eventTypes(events),
        armedAfterDue,
      };
      // A side takes many minutes at 10,000: its figures are on the terminal even if the other side is cut short.
      process.stderr.write(`[clocks] ${kind}: ${JSON.stringify(side)}\n`);
      return side;
    };
    const firebreak = await runSide('firebreak');
    const bare = await runSide('bare');
    return { incidents, clocksPerIncident: OBLIGATIONS.length, maxCachedWorkflows, firebreak, bare };
  } finally {
    await env.teardown();
  }
}
