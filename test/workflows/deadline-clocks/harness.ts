import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { stringify as toYaml } from 'yaml';
import type { Activities } from '../../../activities';
import { createDeadlineActivities } from '../../../activities/deadlines/compute';
import { loadRunbookText } from '../../../runbooks/load';
import { temporalTestServerPath } from '../../../worker/temporal-binaries';
import type { IncidentInput } from '../../../workflows/incident/messages';
import { statusQuery } from '../../../workflows/incident/definitions';
import type { IncidentStatus } from '../../../workflows/incident/state';
import type { ActionRequest } from '../../../workflows/runbook-interpreter/steps/action';
import { shiftedToday } from '../../helpers/calendar-scenarios';
import { workflowBundle } from '../../helpers/temporal';

/*
 * The incident workflow on Temporal's time-skipping test server: `env.sleep` moves workflow time by days in
 * milliseconds. Activities are the real `deadlines.compute` plus recording fakes for the ones that need I/O.
 */

export type TestActivities = Partial<Activities>;

/** Starts the time-skipping server, its clock moved to `FIREBREAK_TEST_TODAY` when that is set (see calendar-scenarios). */
export async function startTimeSkipping(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  const today = shiftedToday();
  if (today !== undefined) {
    const now = await env.currentTimeMs();
    if (today < now) {
      await env.teardown();
      throw new Error(`FIREBREAK_TEST_TODAY ${new Date(today).toISOString()} is in the past: the time-skipping server only moves forward`);
    }
    await env.sleep(today - now);
  }
  return env;
}

/** Moves the server's clock forward to `atMs` (a scenario's moment); no-op when it is already there. */
export async function travelTo(env: TestWorkflowEnvironment, atMs: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (atMs > now) await env.sleep(atMs - now);
}

export function pin(runbook: Record<string, unknown>): IncidentInput['pinned'] {
  const loaded = loadRunbookText(toYaml(runbook), 'test.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.pinned;
}

export function incidentInput(pinned: IncidentInput['pinned'], openedAt: string): IncidentInput {
  return {
    incidentId: `incident/test/${randomUUID().replace(/-/g, '')}`,
    title: 'clock test',
    severity: 'high',
    openedBy: { kind: 'person', id: 'olivia', roles: ['security-oncall'] },
    openedAt,
    pinned,
    children: {},
    config: { contacts: {} },
  };
}

/** Activities every clock test needs: real deadline arithmetic, a no-op publisher, a `noop` action that records when it ran. */
export function clockActivities(sent: { key: string; at: number }[] = []): TestActivities {
  return {
    ...createDeadlineActivities(),
    'incident.publish': async (request) => ({ published: request.entries.length }),
    'slack.sync': async () => ({ skipped: 'slack.not_configured' as const }),
    noop: async (request: ActionRequest) => {
      sent.push({ key: request.key, at: Date.now() });
      return { key: request.key };
    },
  };
}

export interface Running {
  id: string;
  status(): Promise<IncidentStatus>;
}

/** Runs `body` with a worker on its own task queue, the incident already started. */
export async function withIncident<T>(env: TestWorkflowEnvironment, runbook: Record<string, unknown>, activities: TestActivities, body: (incident: Running) => Promise<T>): Promise<T> {
  const taskQueue = `clocks-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
  return worker.runUntil(async () => {
    const input = incidentInput(pin(runbook), new Date(await env.currentTimeMs()).toISOString());
    const handle = await env.client.workflow.start('incidentWorkflow', { taskQueue, workflowId: input.incidentId, args: [input] });
    try {
      return await body({ id: input.incidentId, status: () => handle.query(statusQuery) });
    } finally {
      // A workflow left running without a worker holds the test server's skipped time back for every later test, and so
      // does an activity still running when its workflow is terminated (the server never unlocks time skipping for it).
      await settleActivities(handle);
      await handle.terminate('test over').catch(() => undefined);
    }
  });
}

async function settleActivities(handle: WorkflowHandle): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const described = await handle.describe().catch(() => undefined);
    if (!described || described.status.name !== 'RUNNING' || (described.raw.pendingActivities ?? []).length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const HOUR = 3_600_000;

/** Polls (in real time) until the incident's status satisfies `check`: time skipping can outrun the worker. */
export async function until<T>(incident: Running, check: (status: IncidentStatus) => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = check(await incident.status());
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('status never matched');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
