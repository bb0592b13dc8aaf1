import { ActivityFailure, ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { liveness } from '../activity-liveness';
import type { ActionFn } from '../runbook-interpreter/steps/action';
import type { LiftContainmentInput } from './lift-workflow';

/** Released lift code: lifts recorded before lifts were audited and escalated replay without either (issue 14). */
export const LIFT_AUDIT_PATCH = 'containment-lift-audit';

/** Who hears of a lift that failed for good: the incident commander's contact, and the incident's Slack channel. */
export interface LiftEscalation {
  /** `contacts.incident-commander` when the incident armed the lift; absent, no email can be sent. */
  to?: string;
  /** The incident mirrors into Slack: the failure is posted to its channel too. */
  slack: boolean;
  title: string;
}

/**
 * Bounded so a vendor that keeps refusing surfaces within about half an hour (5 s doubling to 10 min: 10 attempts, about
 * 31 minutes of waiting), not after the 50 attempts (about 7 hours) lifts had before; a non-retryable refusal fails at once.
 */
const UNDO_RETRY = { maximumAttempts: 10, initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m' } as const;
// No attempt limit: a record may be late (the audit store is down) but never skipped, as for the incident's timeline.
const { 'audit.append': appendAudit } = proxyActivities<Pick<Activities, 'audit.append'>>({ startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '1m' } });
// Bounded: a notice that cannot be delivered must not hold the lift open for ever; the audit record and log remain.
const notices = proxyActivities<Record<'notify.email' | 'notify.slack', ActionFn>>({ startToCloseTimeout: '2m', retry: { maximumAttempts: 10, initialInterval: '5s', maximumInterval: '5m' } });

/** The failure's code: the vendor action's stable error type (`cloudflare.forbidden`), else the activity's. */
function failureCode(error: ActivityFailure): string {
  return error.cause instanceof ApplicationFailure && error.cause.type ? error.cause.type : (error.cause?.name ?? 'activity.failed');
}

/**
 * Runs the lift's undo and leaves proof either way: `containment.lifted` in the audit log (the incident may have closed
 * long ago, so its timeline cannot hold it), or `containment.lift_failed` with the error code, a warning in the worker
 * log, an email to the incident commander (keyed by incident and step, so one Message-ID, sent once) and a post to the
 * incident's Slack channel. A failed lift then fails its workflow: the block is still in place and someone must act.
 */
export async function liftAndRecord(input: LiftContainmentInput, escalation: LiftEscalation | undefined): Promise<{ lifted: string; at: string }> {
  const key = `${input.incidentId}/${input.stepId}/undo`;
  const undo = proxyActivities<Record<string, ActionFn>>({ startToCloseTimeout: '5m', ...liveness(), retry: UNDO_RETRY })[input.action]!;
  const target = JSON.stringify(input.with);
  const facts = { action: input.action, target, requestKey: key };
  try {
    const result = (await undo({ key, incidentId: input.incidentId, stepId: input.stepId, input: input.with })) as { vendor?: unknown } | undefined;
    const data: Record<string, string> = { ...facts };
    if (typeof result?.vendor === 'string') data.vendor = result.vendor;
    await appendAudit({ key: `${key}/lifted`, action: 'containment.lifted', incidentId: input.incidentId, subject: input.stepId, data });
    return { lifted: input.action, at: new Date().toISOString() };
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const code = failureCode(error);
    log.warn('containment lift failed after its last attempt: the containment is still in place', { incidentId: input.incidentId, stepId: input.stepId, action: input.action, code });
    await appendAudit({ key: `${key}/lift_failed`, action: 'containment.lift_failed', incidentId: input.incidentId, subject: input.stepId, data: { ...facts, code } });
    await escalate(input, escalation, code);
    throw ApplicationFailure.nonRetryable(`${input.action} for step ${input.stepId} failed: ${code}`, 'containment.lift_failed');
  }
}

async function escalate(input: LiftContainmentInput, escalation: LiftEscalation | undefined, code: string): Promise<void> {
  const { incidentId, stepId } = input;
  const what = `The expiry of step ${stepId} in incident ${incidentId} could not be undone (${input.action} on ${JSON.stringify(input.with)}: ${code}). The containment is still in place; lift it by hand or find out why the vendor refused.`;
  if (!escalation?.to) log.warn('lift failure reaches no email: no contacts.incident-commander', { incidentId, stepId });
  const sends: Promise<unknown>[] = [];
  if (escalation?.to) {
    const subject = `[Firebreak] Containment lift failed: ${escalation.title}`;
    sends.push(notices['notify.email']!({ key: `${incidentId}/${stepId}/lift-failed/incident-commander`, incidentId, stepId, input: { to: escalation.to, subject, body: `${what}\n\nSee the audit log record containment.lift_failed, or:\n  firebreak incident ${incidentId}\n` } }));
  }
  if (escalation?.slack) sends.push(notices['notify.slack']!({ key: `${incidentId}/${stepId}/lift-failed/slack`, incidentId, stepId, input: { text: `:rotating_light: ${what}` } }));
  for (const outcome of await Promise.allSettled(sends)) {
    if (outcome.status === 'rejected') {
      if (!(outcome.reason instanceof ActivityFailure)) throw outcome.reason;
      log.warn('lift failure escalation could not be delivered', { incidentId, stepId, error: outcome.reason.message });
    }
  }
}
