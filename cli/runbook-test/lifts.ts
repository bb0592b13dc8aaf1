import type { WorkflowClient } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { IncidentStatus } from '../../workflows/incident/state';

/** A containment expiry (`ttl`) armed during a runbook test, and what became of it by the end of the run. */
export interface LiftReport {
  step: string;
  /** When the lift undoes the step (test-server time). */
  at: string;
  outcome: 'lifted' | 'cancelled' | 'armed' | 'failed';
}

const OUTCOMES: Record<string, LiftReport['outcome']> = { COMPLETED: 'lifted', CANCELLED: 'cancelled', TERMINATED: 'armed' };

/**
 * Settles the lift workflows a run armed (workflows/runbook-interpreter/expiry.ts), while the run's worker still
 * polls. In production a lift outlives its incident; on the time-skipping test server an abandoned lift would fire
 * after this run's worker has stopped, and its workflow task, which no worker takes, holds the server's time-skipping
 * lock: every later run's timers would then take wall-clock time (a shared server stalled for minutes). So a lift the
 * incident cancelled (abort) is let finish, and a lift still waiting is ended and reported as armed. `workflows` waits
 * for results without unlocking time skipping.
 */
export async function settleLifts(env: TestWorkflowEnvironment, workflows: WorkflowClient, statuses: IncidentStatus[]): Promise<LiftReport[]> {
  const lifts: LiftReport[] = [];
  for (const status of statuses) {
    for (const armed of status.timeline.filter((t) => t.event === 'step.expiry_armed' && t.stepId)) {
      const step = armed.stepId!;
      const handle = workflows.getHandle(`${status.incidentId}/lift/${step}`);
      const at = /at (\S+)$/.exec(armed.detail ?? '')?.[1] ?? '';
      const cancelled = status.timeline.some((t) => t.event === 'step.expiry_cancelled' && t.stepId === step);
      if ((await handle.describe()).status.name === 'RUNNING') {
        // A cancelled lift closes as soon as the worker takes the request, a due one once its undo ran.
        if (cancelled || Date.parse(at) <= (await env.currentTimeMs())) await handle.result().catch(() => undefined);
        else await handle.terminate('runbook test finished: the lift would run at its time');
      }
      const outcome = OUTCOMES[(await handle.describe()).status.name] ?? 'failed';
      lifts.push({ step, at, outcome });
    }
  }
  return lifts;
}
