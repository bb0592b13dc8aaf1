import { randomUUID } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseArgs } from 'node:util';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { stringify as toYaml } from 'yaml';
import { createDeadlineActivities } from '../activities/deadlines/compute';
import { loadRunbookText } from '../runbooks/load';
import { bundleFirebreakWorkflows } from '../worker/bundle-workflows';
import { temporalCliPath } from '../worker/temporal-binaries';
import type { IncidentInput } from '../workflows/incident/messages';
import type { PublishTimelineRequest } from '../workflows/incident/timeline-publisher';

/*
 * What one clock incident of bench/clocks.ts costs the workflow thread, without the server, the client or the other
 * helpers' load in the figure: records a few incidents (3 clocks due a few seconds after the start, then fired) on the
 * current workflow code, then replays their histories many times in this process and prints, per incident, the CPU
 * time, the promises created in workflow code (the SDK's promise hook captures a stack for each) and those still pending
 * when the replay ends (their stacks stay in memory while the incident is cached), and the calls into
 * the workflow sandbox (one per activation step). A replay is what a worker does for an incident evicted from its cache
 * when its alarm fires. Run it on two checkouts, alternately, to compare them:
 *   npx tsx bench/clock-replay.ts [--bare] [--incidents 5] [--reps 50]
 */

const OBLIGATIONS = ['gdpr-art33-sa', 'ukgdpr-art33-ico', 'uk-pecr-5a'];
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

async function record(bare: boolean, incidents: number): Promise<{ bundle: Awaited<ReturnType<typeof bundleFirebreakWorkflows>>; histories: temporal.api.history.v1.IHistory[] }> {
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: temporalCliPath() } } });
  try {
    const bundle = bare ? await bundleWorkflowCode({ workflowsPath: require.resolve('./bare-timers-workflow'), logger: quiet }) : await bundleFirebreakWorkflows();
    const taskQueue = `clock-replay-${randomUUID()}`;
    let missed = 0;
    const publish = async (request: PublishTimelineRequest) => {
      missed += request.entries.filter((entry) => entry.event === 'clock.missed').length;
      return { published: request.entries.length };
    };
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: { ...createDeadlineActivities(), 'incident.publish': publish } });
    const handles = await worker.runUntil(async () => {
      const started = [];
      for (let i = 0; i < incidents; i++) {
        const due = Math.ceil((Date.now() + 4000) / 1000) * 1000;
        const id = `bench/${bare ? 'bare' : 'firebreak'}/${due}/${randomUUID()}`;
        if (bare) {
          started.push(await env.client.workflow.start('bareTimersWorkflow', { taskQueue, workflowId: id, args: [OBLIGATIONS.map(() => due)] }));
          continue;
        }
        const steps = [{ id: 'start', clock: { start: OBLIGATIONS, at: new Date(due - 72 * 3_600_000).toISOString() } }, { id: 'hold', wait: '1d' }];
        const loaded = loadRunbookText(toYaml({ id: 'bench-clocks', version: 1, title: 'bench', steps }), 'bench.yaml');
        if (!loaded.ok) throw new Error('bench runbook invalid');
        const input: IncidentInput = { incidentId: id, title: `bench ${i}`, severity: 'low', openedBy: { kind: 'system', id: 'bench', roles: [] }, openedAt: new Date().toISOString(), pinned: loaded.pinned, children: {}, config: { contacts: {} }, slackMirror: false };
        started.push(await env.client.workflow.start('incidentWorkflow', { taskQueue, workflowId: id, args: [input] }));
      }
      if (bare) await Promise.all(started.map((handle) => handle.result()));
      else while (missed < incidents * OBLIGATIONS.length) await new Promise((resolve) => setTimeout(resolve, 200));
      // The publish after the alarms completes its task a moment after the probe saw it.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return started;
    });
    return { bundle, histories: await Promise.all(handles.map(async (handle) => await handle.fetchHistory())) };
  } finally {
    await env.teardown();
  }
}

/** Counts calls into the workflow sandbox: the SDK runs one vm script per call (activate, unblock conditions, ...). */
function countSandboxCalls(): { calls(): number } {
  let calls = 0;
  const run = vm.Script.prototype.runInContext;
  vm.Script.prototype.runInContext = function (this: vm.Script, ...args: Parameters<typeof run>) {
    calls += 1;
    return run.apply(this, args);
  };
  return { calls: () => calls };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { bare: { type: 'boolean', default: false }, incidents: { type: 'string', default: '5' }, reps: { type: 'string', default: '50' } } });
  const { bundle, histories } = await record(values.bare!, Number(values.incidents));
  const replay = async (reps: number) => {
    const all = Array.from({ length: reps }, () => histories.map((history, i) => ({ workflowId: `w${i}`, history }))).flat();
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, all)) if (result.error) throw result.error;
    return all.length;
  };
  await replay(2); // warm-up: the bundle compiled, the code optimised
  const sandbox = countSandboxCalls();
  let promises = 0;
  // Still pending when a replay ends, at rest: the SDK keeps each one's captured stack until it settles.
  const pending = new Set<Promise<unknown>>();
  // Promises of the workflow realm only (their constructor is the sandbox's Promise).
  const stop = v8.promiseHooks.createHook({
    init(promise) {
      if (promise.constructor === Promise) return;
      promises += 1;
      pending.add(promise);
    },
    settled(promise) {
      pending.delete(promise);
    },
  });
  const cpu = process.cpuUsage();
  const n = await replay(Number(values.reps));
  const used = process.cpuUsage(cpu);
  stop();
  const events = histories[0]?.events?.length;
  console.log(JSON.stringify({ side: values.bare ? 'bare' : 'firebreak', events, replayed: n, cpuMsPerIncident: +((used.user + used.system) / 1000 / n).toFixed(2), promisesPerIncident: promises / n, pendingAtRestPerIncident: +(pending.size / n).toFixed(1), sandboxCallsPerIncident: +(sandbox.calls() / n).toFixed(1) }));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
