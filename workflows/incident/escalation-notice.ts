import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import { isPatched } from '../release';
import { liveness } from '../activity-liveness';
import type { ActionFn } from '../runbook-interpreter/steps/action';
import { type RunContext, now } from '../runbook-interpreter/context';
import { addTimeline } from './state';

const EMAIL_OPTIONS = { startToCloseTimeout: '2m', retry: { maximumAttempts: 10, initialInterval: '5s', maximumInterval: '5m' } } as const;

// With the heartbeat timeout, a notice whose worker died is retried within seconds, not after its 2-minute attempt.
const sendEmail: ActionFn = (request) => proxyActivities<{ 'notify.email': ActionFn }>({ ...EMAIL_OPTIONS, ...liveness('escalation-email-heartbeat') })['notify.email']!(request);

/**
 * Tells the escalation role a step has waited too long, when no Slack workspace would show it: an email to the role's
 * contact (`contacts.<role>` in config), once per escalation (the idempotency key, and so the Message-ID, is the
 * incident, step and role), and a warning in the worker log. With Slack the channel shows the escalation instead.
 * A role without a contact reaches nobody: that is recorded on the timeline and logged, never silent.
 */
export async function notifyEscalation(ctx: RunContext, stepId: string, role: string, what: string): Promise<void> {
  if (ctx.input.slackMirror !== false || !isPatched('escalation-email')) return;
  const incidentId = ctx.input.incidentId;
  const to = ctx.input.config.contacts[role];
  if (!to) {
    log.warn('escalation reaches nobody: no Slack and no contact for the role', { incidentId, stepId, role, setting: `contacts.${role}` });
    addTimeline(ctx.state, { at: now(), event: 'escalation.unreachable', stepId, detail: `no Slack and no contacts.${role}` });
    return;
  }
  log.warn('escalating by email: no Slack is configured', { incidentId, stepId, role });
  ctx.state.escalating = (ctx.state.escalating ?? 0) + 1;
  try {
    await sendEmail({
      key: `${incidentId}/${stepId}/escalation/${role}`,
      incidentId,
      stepId,
      input: {
        to,
        subject: `[Firebreak] ${what} waits for ${role}: ${ctx.state.status.title}`,
        body: `${what} in incident ${incidentId} ("${ctx.state.status.title}") has waited past its timeout and is escalated to ${role}.\n\nDecide or answer it with:\n  firebreak incident ${incidentId}\n\nAn incident commander may decide any waiting step as an override, with a reason.\n`,
      },
    });
    addTimeline(ctx.state, { at: now(), event: 'escalation.emailed', stepId, detail: role });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    addTimeline(ctx.state, { at: now(), event: 'escalation.unreachable', stepId, detail: `email to contacts.${role} failed` });
  } finally {
    ctx.state.escalating = (ctx.state.escalating ?? 1) - 1;
  }
}
