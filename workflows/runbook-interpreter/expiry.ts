import { ChildWorkflowCancellationType, ParentClosePolicy, getExternalWorkflowHandle, isCancellation, startChild } from '@temporalio/workflow';
import { isPatched } from '../release';
import { LIFT_AUDIT_PATCH, type LiftEscalation } from '../containment/lift-outcome';
import { liftContainmentWorkflow } from '../containment/lift-workflow';
import { durationMs } from '../deadline-clocks/durations';
import { addTimeline } from '../incident/state';
import { OVERRIDE_ROLE } from '../incident/validators';
import { type PendingCompensation, type RunContext, now } from './context';

/** Released workflow code: incidents recorded before expiries existed replay without starting lift workflows. */
export const EXPIRY_PATCH = 'containment-expiry';

/** The lift workflow of one step: one per step and incident, so a retried arm finds the one already started. */
export const liftWorkflowId = (incidentId: string, stepId: string): string => `${incidentId}/lift/${stepId}`;

/**
 * Whether a completed containment step expires: its rendered input carries `ttl` (network.block-ip `ttl: 6h`) and
 * this incident runs the code that arms expiries. Synchronous on purpose: a step without an expiry (and every step of
 * an older history) goes on without an extra await, so commands keep the order they were recorded in.
 */
export function expires(rendered: Record<string, unknown>): rendered is { ttl: string } {
  return typeof rendered.ttl === 'string' && /^\d+(ms|s|m|h|d)$/.test(rendered.ttl) && isPatched(EXPIRY_PATCH);
}

/**
 * Starts the lift workflow of an expiring step: it runs the step's undo when the time is up, even after the incident
 * has closed. The pending compensation remembers it, so an abort cancels the lift and undoes at once instead.
 */
export async function armExpiry(ctx: RunContext, entry: PendingCompensation, ttl: string): Promise<void> {
  const liftAt = new Date(Date.now() + durationMs(ttl)).toISOString();
  const workflowId = liftWorkflowId(ctx.input.incidentId, entry.stepId);
  // Remembered before the start: an abort landing while the start is in flight still cancels the lift it may start.
  entry.lift = { workflowId, at: liftAt };
  // A lift that fails after the incident closed has nobody watching the incident: it tells the incident commander.
  const escalation: LiftEscalation | undefined = isPatched(LIFT_AUDIT_PATCH)
    ? { to: ctx.input.config.contacts[OVERRIDE_ROLE], slack: ctx.input.slackMirror !== false, title: ctx.state.status.title }
    : undefined;
  await startChild(liftContainmentWorkflow, {
    workflowId,
    args: [{ incidentId: ctx.input.incidentId, stepId: entry.stepId, action: entry.compensation.action, with: entry.compensation.with, liftAt, ...(escalation && { escalation }) }],
    // The lift outlives the incident, and an abort (which cancels the run) cancels it explicitly, once (disarmExpiry).
    parentClosePolicy: ParentClosePolicy.ABANDON,
    cancellationType: ChildWorkflowCancellationType.ABANDON,
  });
  addTimeline(ctx.state, { at: now(), event: 'step.expiry_armed', stepId: entry.stepId, detail: `${entry.compensation.action} at ${liftAt}` });
}

/**
 * Before an abort's undo: the lift must not run the undo a second time later. A lift whose time has come has run its
 * undo (or is running it) under the compensation's own request key, so the compensation's undo then changes nothing;
 * it is not asked to cancel, since a cancel request to a closed workflow need not be answered (the time-skipping test
 * server never answers it, which would hold the abort forever).
 */
export async function disarmExpiry(ctx: RunContext, stepId: string, lift: { workflowId: string; at: string }): Promise<void> {
  if (Date.now() >= Date.parse(lift.at)) return;
  try {
    await getExternalWorkflowHandle(lift.workflowId).cancel();
    addTimeline(ctx.state, { at: now(), event: 'step.expiry_cancelled', stepId, detail: lift.workflowId });
  } catch (error) {
    if (isCancellation(error)) throw error;
  }
}
