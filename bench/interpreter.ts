import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { stringify as toYaml } from 'yaml';
import { loadRunbookText } from '../runbooks/load';
import type { PinnedRunbook } from '../runbooks/schema/runbook';
import { FirebreakUnderTest } from '../test/helpers/firebreak';
import { startTemporal, testLog } from '../test/helpers/temporal';
import { connectWorkerConnection, temporalTarget } from '../worker/temporal-connection';
import { activitiesFromConfig, createFirebreakWorker } from '../worker/temporal-worker';
import type { IncidentInput } from '../workflows/incident/messages';

export interface InterpreterBenchOptions {
  /** `noop` action steps in the runbook, and activity calls in the baseline (default 100). */
  steps?: number;
  /** Timed runs of each workflow, alternating, after one untimed warm-up each (default 3). */
  runs?: number;
}

export interface WorkflowFigures {
  /** Start request sent → result received, per run, in run order. */
  wallMs: number[];
  medianWallMs: number;
  /** History length of the last run (the same in every run for a given workflow). */
  events: number;
  /** Activities scheduled in the last run, by activity type. */
  activities: Record<string, number>;
}

export interface InterpreterBenchResult {
  steps: number;
  runs: number;
  /** `incidentWorkflow` interpreting a runbook of `steps` noop actions. */
  interpreter: WorkflowFigures;
  /** A hand-written workflow calling the same `noop` activity `steps` times in sequence. */
  baseline: WorkflowFigures;
  /** interpreter / baseline median wall time (target ≤ 1.2). */
  wallTimeRatio: number;
  /** interpreter / baseline history events (target ≤ 1.1). */
  eventRatio: number;
}

const ignore = (): void => undefined;
// webpack's progress lines would drown the benchmark table.
const quiet = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

function noopRunbook(steps: number): PinnedRunbook {
  const text = toYaml({ id: 'bench-interpreter', version: 1, title: 'bench interpreter', steps: Array.from({ length: steps }, (_, i) => ({ id: `step-${i + 1}`, action: 'noop' })) });
  const loaded = loadRunbookText(text, 'bench-interpreter.yaml');
  if (!loaded.ok) throw new Error(`bench runbook invalid: ${loaded.issues.map((i) => i.code).join(', ')}`);
  return loaded.pinned;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Timed {
  ms: number;
  handle: WorkflowHandle;
}

async function timed(start: () => Promise<WorkflowHandle>): Promise<Timed> {
  const t0 = performance.now();
  const handle = await start();
  await handle.result();
  return { ms: performance.now() - t0, handle };
}

/** Wall times of every run; history of the last one. */
async function figures(runs: Timed[]): Promise<WorkflowFigures> {
  const wallMs = runs.map((r) => Math.round(r.ms));
  const events = (await runs[runs.length - 1]!.handle.fetchHistory()).events ?? [];
  const activities: Record<string, number> = {};
  for (const event of events) {
    const type = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) activities[type] = (activities[type] ?? 0) + 1;
  }
  return { wallMs, medianWallMs: median(wallMs), events: events.length, activities };
}

/**
 * The runbook interpreter's overhead: `incidentWorkflow` running a runbook of N `noop` actions against a hand-written
 * workflow that calls the same activity N times, on one worker (same bundle, data converter and activities), on its
 * own Temporal dev server, in the same run. Prints nothing.
 */
export async function benchInterpreter(opts: InterpreterBenchOptions = {}): Promise<InterpreterBenchResult> {
  const steps = opts.steps ?? 100;
  const runs = opts.runs ?? 3;
  const temporal = await startTemporal();
  const fb = await FirebreakUnderTest.start({ address: temporal.address });
  try {
    // Replace the stock worker with one whose bundle also holds the baseline, so both share everything but the workflow.
    await fb.stopWorker();
    const target = temporalTarget(fb.config, fb.secrets);
    const connection = await connectWorkerConnection(target);
    const activities = activitiesFromConfig(fb.config, fb.secrets, testLog);
    const worker = await createFirebreakWorker({
      config: fb.config,
      secrets: fb.secrets,
      connection,
      namespace: target.namespace,
      taskQueue: target.taskQueue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: require.resolve('./interpreter-workflows'),
        failureConverterPath: require.resolve('../codec/failure-converter'),
        logger: quiet,
      }),
      activities: activities.activities,
    });
    const pinned = noopRunbook(steps);
    const taskQueue = target.taskQueue;
    const runId = randomUUID().slice(0, 8);
    const startInterpreter = (n: string) => {
      const incidentId = `bench/interpreter/${runId}/${n}`;
      const input: IncidentInput = {
        incidentId, title: 'bench interpreter', severity: 'low', openedBy: { kind: 'system', id: 'bench', roles: [] },
        openedAt: new Date().toISOString(), pinned, children: {}, config: { contacts: fb.config.contacts }, slackMirror: fb.config.slack !== undefined,
      };
      return fb.client.workflow.start('incidentWorkflow', { workflowId: incidentId, taskQueue, args: [input] });
    };
    const startBaseline = (n: string) => {
      const id = `bench/baseline/${runId}/${n}`;
      return fb.client.workflow.start('baselineNoopsWorkflow', { workflowId: id, taskQueue, args: [id, steps] });
    };

    return await worker.runUntil(async () => {
      await timed(() => startInterpreter('warm-up'));
      await timed(() => startBaseline('warm-up'));
      const interpreterRuns: Timed[] = [];
      const baselineRuns: Timed[] = [];
      for (let i = 0; i < runs; i++) {
        interpreterRuns.push(await timed(() => startInterpreter(String(i))));
        baselineRuns.push(await timed(() => startBaseline(String(i))));
      }
      const interpreter = await figures(interpreterRuns);
      const baseline = await figures(baselineRuns);
      return {
        steps,
        runs,
        interpreter,
        baseline,
        wallTimeRatio: Number((interpreter.medianWallMs / baseline.medianWallMs).toFixed(2)),
        eventRatio: Number((interpreter.events / baseline.events).toFixed(2)),
      };
    }).finally(() => Promise.all([connection.close(), activities.close()]));
  } finally {
    await fb.stop();
    await temporal.stop();
  }
}
