import { patched, proxyActivities, sleep } from '@temporalio/workflow';
import { liveness } from '../activity-liveness';
import type { ActionFn } from '../runbook-interpreter/steps/action';
import { LIFT_AUDIT_PATCH, type LiftEscalation, liftAndRecord } from './lift-outcome';

export interface LiftContainmentInput {
  incidentId: string;
  stepId: string;
  /** The undo action (`network.unblock-ip`) and its rendered inputs. */
  action: string;
  with: Record<string, unknown>;
  /** When the containment expires (ISO UTC, workflow time of the step that contained). */
  liftAt: string;
  /** Who hears of a lift that failed for good; absent in lifts armed before lifts were escalated. */
  escalation?: LiftEscalation;
}

/**
 * Lifts a time-limited containment (a step with `ttl`) when it expires: a durable timer, then the step's undo with
 * the same request key the incident's compensation would use, so the undo finds the recorded prior state and an
 * undo that already ran (an abort) does nothing more. Started by the incident and abandoned when it closes: a block
 * for 30 days outlives an incident closed after a day. An abort of the incident cancels it before undoing itself.
 */
export async function liftContainmentWorkflow(input: LiftContainmentInput): Promise<{ lifted: string; at: string }> {
  await sleep(Math.max(0, Date.parse(input.liftAt) - Date.now()));
  if (patched(LIFT_AUDIT_PATCH)) return liftAndRecord(input, input.escalation);
  const undo = proxyActivities<Record<string, ActionFn>>({
    startToCloseTimeout: '5m',
    ...liveness(),
    retry: { maximumAttempts: 50, initialInterval: '5s', maximumInterval: '10m' },
  })[input.action]!;
  await undo({ key: `${input.incidentId}/${input.stepId}/undo`, incidentId: input.incidentId, stepId: input.stepId, input: input.with });
  return { lifted: input.action, at: new Date().toISOString() };
}
