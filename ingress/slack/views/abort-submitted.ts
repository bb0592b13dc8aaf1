import type { App } from '@slack/bolt';
import { ViewId } from '../../../slack/action-ids';
import { slackActor } from '../actor';
import type { SlackListenerDeps } from '../deps';
import { decodeModalContext } from '../modals/metadata';
import { REASON_FIELD, reasonProblem } from '../modals/reason-modal';
import { problemText, tellUser } from '../tell-user';

/** The abort modal was submitted: an Update the workflow validates (role), then it compensates completed steps. */
export function registerAbortSubmitted(app: App, deps: SlackListenerDeps): void {
  app.view(ViewId.Abort, async ({ ack, body, view, client }) => {
    const reason = view.state.values[REASON_FIELD]?.[REASON_FIELD]?.value ?? '';
    const refused = deps.incidents.check('abort', { reason, actor: { kind: 'person', id: body.user.id, roles: [] } });
    if (refused) return ack(reasonProblem(refused));
    await ack();
    const context = decodeModalContext(view.private_metadata);
    const audience = { client, user: body.user.id, channel: context?.channel, responseUrl: context?.responseUrl };
    if (!context?.incidentId) return tellUser(audience, problemText({ code: 'slack.unknown_modal', message: 'this form is not from Firebreak' }), deps.log);
    const incidentId = context.incidentId;
    const actor = await slackActor(deps, body.user.id);
    const answer = await deps.incidents.abort({ incidentId, reason, actor });
    return tellUser(audience, answer.ok ? `Aborting \`${incidentId}\`; completed steps are being undone.` : problemText(answer.problem), deps.log);
  });
}
