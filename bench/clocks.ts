import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { stringify as toYaml } from 'yaml';
import { createComputeDeadlines } from '../activities/deadlines/compute';
import { loadRunbookText } from '../runbooks/load';
import { bundleFirebreakWorkflows } from '../worker/bundle-workflows';
import { temporalCliPath } from '../worker/temporal-binaries';
import type { IncidentInput } from '../workflows/incident/messages';
import { statusQuery } from '../workflows/incident/messages';

export interface ClockBenchOptions {
  /** Open incidents (default 10,000), each with `clocks` running clocks (3). */
  incidents?: number;
  /** Seconds from the start of the run to the deadlines the timers fire for (default: enough to start everything). */
  dueInSeconds?: number;
  concurrency?: number;
}

interface Side {
  startSeconds: number;
  rssMb: number;
  latenessP50Ms: number;
  latenessP99Ms: number;
  timers: number;
}

export interface ClockBenchFigures {
  incidents: number;
  clocksPerIncident: number;
  firebreak: Side;
  bare: Side;
}

const HOURS_72 = 72 * 3_600_000;
const OBLIGATIONS = ['gdpr-art33-sa', 'ukgdpr-art33-ico', 'uk-pecr-5a'];

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function inBatches(n: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await one(next++);
  }));
}

/**
 * N open incidents with 3 running 72 h clocks each, on one in-process worker, their "missed" alarms all due at the same
 * moment: time to start them all (every clock computed and armed), worker RSS growth, and how late the alarms fire
 * (workflow time of the `clock.missed` entry minus the due time). Then the same number of bare timers with the same
 * due times in plain workflows, in the same run, on a fresh worker. Prints nothing.
 */
export async function benchClocks(opts: ClockBenchOptions = {}): Promise<ClockBenchFigures> {
  const incidents = opts.incidents ?? 10_000;
  const concurrency = opts.concurrency ?? 100;
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: temporalCliPath() } } });
  try {
    const firebreakBundle = await bundleFirebreakWorkflows();
    const bareBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./bare-timers-workflow') });
    const dueInMs = (opts.dueInSeconds ?? Math.max(30, incidents / 50)) * 1000;

    const runSide = async (kind: 'firebreak' | 'bare'): Promise<Side> => {
      const taskQueue = `bench-clocks-${kind}-${randomUUID()}`;
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: kind === 'firebreak' ? firebreakBundle : bareBundle,
        activities: { 'deadlines.compute': createComputeDeadlines(), 'incident.publish': async (r: { entries: unknown[] }) => ({ published: r.entries.length }), 'slack.sync': async () => ({ skipped: 'slack.not_configured' }) },
        maxCachedWorkflows: incidents + 100,
      });
      const rssBefore = process.memoryUsage().rss;
      return worker.runUntil(async () => {
        const started = performance.now();
        const ids: string[] = [];
        const sideDue = Date.now() + dueInMs;
        const pinned = loadRunbookText(toYaml({ id: 'bench-clocks', version: 1, title: 'bench', steps: [{ id: 'start', clock: { start: OBLIGATIONS, at: new Date(sideDue - HOURS_72).toISOString() } }, { id: 'hold', wait: '1d' }] }), 'bench.yaml');
        if (!pinned.ok) throw new Error('bench runbook invalid');
        await inBatches(incidents, concurrency, async (i) => {
          const id = `bench/${kind}/${randomUUID()}`;
          ids.push(id);
          if (kind === 'bare') {
            await env.client.workflow.start('bareTimersWorkflow', { taskQueue, workflowId: id, args: [OBLIGATIONS.map(() => sideDue)] });
            return;
          }
          const input: IncidentInput = { incidentId: id, title: `bench ${i}`, severity: 'low', openedBy: { kind: 'system', id: 'bench', roles: [] }, openedAt: new Date().toISOString(), pinned: pinned.pinned, children: {}, config: { contacts: {} } };
          await env.client.workflow.start('incidentWorkflow', { taskQueue, workflowId: id, args: [input] });
        });
        if (kind === 'firebreak') {
          // Started = every clock computed and armed, as the status shows it.
          await inBatches(ids.length, concurrency, async (i) => {
            for (;;) {
              // A query can time out while the worker is busy starting thousands of clocks: ask again.
              const s = await env.client.workflow.getHandle(ids[i]!).query(statusQuery).catch(() => undefined);
              if (s?.clocks.length === OBLIGATIONS.length) return;
              await new Promise((r) => setTimeout(r, 200));
            }
          });
        }
        const startSeconds = (performance.now() - started) / 1000;
        const rssMb = (process.memoryUsage().rss - rssBefore) / 1e6;
        await new Promise((r) => setTimeout(r, Math.max(0, sideDue - Date.now()) + 5000));
        const lateness: number[] = [];
        await inBatches(ids.length, concurrency, async (i) => {
          const handle = env.client.workflow.getHandle(ids[i]!);
          if (kind === 'bare') {
            lateness.push(...(await handle.result()));
            return;
          }
          for (;;) {
            const s = await handle.query(statusQuery).catch(() => undefined);
            const missed = (s?.timeline ?? []).filter((t) => t.event === 'clock.missed');
            if (missed.length === OBLIGATIONS.length) {
              for (const m of missed) lateness.push(Date.parse(m.at) - sideDue);
              await handle.terminate('bench over');
              return;
            }
            await new Promise((r) => setTimeout(r, 500));
          }
        });
        lateness.sort((a, b) => a - b);
        return { startSeconds, rssMb, latenessP50Ms: percentile(lateness, 50), latenessP99Ms: percentile(lateness, 99), timers: lateness.length };
      });
    };
    const firebreak = await runSide('firebreak');
    const bare = await runSide('bare');
    return { incidents, clocksPerIncident: OBLIGATIONS.length, firebreak, bare };
  } finally {
    await env.teardown();
  }
}
