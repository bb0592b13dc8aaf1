import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics';

export interface HealthDeps {
  client: Client;
  namespace: string;
  taskQueue: string;
  metrics: Metrics;
  /** In the all-in-one process, the local worker's own state; elsewhere the task queue's pollers decide. */
  localWorkerRunning?: () => boolean;
  /** Whole budget for one probe; load balancers commonly time out at 2 s or more. */
  budgetMs?: number;
}

const DEFAULT_BUDGET_MS = 1_500;

class ProbeTimeout extends Error {}

/** A gRPC DEADLINE_EXCEEDED (4) or CANCELLED (1) from our own deadline or abort means Temporal was too slow, not absent. */
function timedOut(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return error instanceof ProbeTimeout || code === 4 || code === 1;
}

/**
 * Runs `fn` with a gRPC deadline and an abort, and also races it against a timer: a frozen server may keep a
 * connection open without answering, and the probe must answer within its budget whatever Temporal does.
 */
async function within<T>(client: Client, ms: number, fn: () => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => (controller.abort(), reject(new ProbeTimeout())), ms);
  });
  const call = client.connection.withAbortSignal(controller.signal, () => client.connection.withDeadline(Date.now() + ms, fn));
  call.catch(() => undefined); // the race below reports; a late rejection must not go unhandled
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function workerPolls(deps: HealthDeps, ms: number): Promise<boolean> {
  if (deps.localWorkerRunning) return deps.localWorkerRunning();
  const response = await within(deps.client, ms, () =>
    deps.client.workflowService.describeTaskQueue({
      namespace: deps.namespace,
      taskQueue: { name: deps.taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    }),
  );
  return (response.pollers ?? []).length > 0;
}

/** `GET /healthz`: 200 only when Temporal answers and a worker polls; otherwise 503 with the reason, always within the budget. */
export function registerHealthRoute(app: FastifyInstance, deps: HealthDeps): void {
  const budget = deps.budgetMs ?? DEFAULT_BUDGET_MS;
  app.get('/healthz', async (_request, reply) => {
    const started = Date.now();
    let temporalOk = false;
    let polling = false;
    let reason: string | undefined;
    try {
      await within(deps.client, budget, () => deps.client.workflowService.getSystemInfo({}));
      temporalOk = true;
      polling = await workerPolls(deps, Math.max(100, budget - (Date.now() - started)));
      if (!polling) reason = 'no worker polls the task queue';
    } catch (error) {
      const what = temporalOk ? 'the task queue' : 'Temporal';
      reason = timedOut(error) ? `${what} did not answer within ${budget} ms` : `${what} is unreachable`;
    }
    deps.metrics.temporalUp.set(temporalOk ? 1 : 0);
    deps.metrics.workerPolling.set(polling ? 1 : 0);
    const ok = temporalOk && polling;
    return reply.code(ok ? 200 : 503).send({ ok, temporal: temporalOk, worker: polling, ...(reason ? { reason } : {}) });
  });
}
