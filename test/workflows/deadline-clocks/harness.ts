import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { stringify as toYaml } from 'yaml';
import type { Activities } from '../../../activities';
import { createComputeDeadlines } from '../../../activities/deadlines/compute';
import { loadRunbookText } from '../../../runbooks/load';
import { temporalTestServerPath } from '../../../worker/temporal-binaries';
import type { IncidentInput } from '../../../workflows/incident/messages';
import { statusQuery } from '../../../workflows/incident/messages';
import type { IncidentStatus } from '../../../workflows/incident/state';
import type { ActionRequest } from '../../../workflows/runbook-interpreter/steps/action';
import { workflowBundle } from '../../helpers/temporal';

/*
 * The incident workflow on Temporal's time-skipping test server: `env.sleep` moves workflow time by days in
 * milliseconds. Activities are the real `deadlines.compute` plus recording fakes for the ones that need I/O.
 */

export type TestActivities = Partial<Activities>;

export function startTimeSkipping(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
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
    'deadlines.compute': createComputeDeadlines(),
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
      // A workflow left running without a worker holds the test server's skipped time back for every later test.
      await handle.terminate('test over').catch(() => undefined);
    }
  });
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
