import type { App } from '@slack/bolt';
import { ViewId } from '../../../slack/action-ids';
import { slackActor } from '../actor';
import type { SlackListenerDeps } from '../deps';
import { decodeModalContext } from '../modals/metadata';
import { REASON_FIELD, reasonProblem } from '../modals/reason-modal';
import { problemText, tellUser } from '../tell-user';

/**
 * The stop-clock modal was submitted: `stopClockUpdate`, which the workflow refuses (recording nothing) unless the
 * user now holds a role that approves the runbook's disclosures, or incident-commander, and the clock is running.
 * The modal's view id names the submission, so a double submit gets the first result.
 */
export function registerStopClockSubmitted(app: App, deps: SlackListenerDeps): void {
  app.view(ViewId.StopClock, async ({ ack, body, view, client }) => {
    const context = decodeModalContext(view.private_metadata);
    const reason = view.state.values[REASON_FIELD]?.[REASON_FIELD]?.value ?? '';
    const refused = deps.incidents.check('stop-clock', { clockId: context?.clockId ?? '-', reason, actor: { kind: 'person', id: body.user.id, roles: [] } });
    if (refused) return ack(reasonProblem(refused));
    await ack();
    const audience = { client, user: body.user.id, channel: context?.channel, responseUrl: context?.responseUrl };
    if (!context?.incidentId || !context.clockId) return tellUser(audience, problemText({ code: 'slack.unknown_modal', message: 'this form is not from Firebreak' }), deps.log);
    const { incidentId, clockId } = context;
    const actor = await slackActor(deps, body.user.id);
    const answer = await deps.incidents.stopClock({ incidentId, clockId, reason, actor, submission: view.id });
    if (!answer.ok) return tellUser(audience, problemText(answer.problem), deps.log);
    deps.log.info({ incidentId, clockId, actor: actor.id }, 'slack clock stop accepted');
    return tellUser(audience, `Stopped clock \`${clockId}\` in \`${incidentId}\`; the reason is on the record.`, deps.log);
  });
}
