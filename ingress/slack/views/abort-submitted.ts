import type { App } from '@slack/bolt';
import { ViewId } from '../../../slack/action-ids';
import { abortUpdate } from '../../../workflows/incident/messages';
import { slackActor } from '../actor';
import type { SlackListenerDeps } from '../deps';
import { decodeModalContext } from '../modals/metadata';
import { REASON_FIELD } from '../modals/reason-modal';
import { problemText, tellUser } from '../tell-user';
import { withTemporal } from '../temporal-call';

/** The abort modal was submitted: an Update the workflow validates (role), then it compensates completed steps. */
export function registerAbortSubmitted(app: App, deps: SlackListenerDeps): void {
  app.view(ViewId.Abort, async ({ ack, body, view, client }) => {
    await ack();
    const context = decodeModalContext(view.private_metadata);
    const audience = { client, user: body.user.id, channel: context?.channel, responseUrl: context?.responseUrl };
    const reason = view.state.values[REASON_FIELD]?.[REASON_FIELD]?.value ?? '';
    if (!context?.incidentId) return tellUser(audience, problemText({ code: 'slack.unknown_modal', message: 'this form is not from Firebreak' }), deps.log);
    const incidentId = context.incidentId;
    const actor = await slackActor(deps, body.user.id);
    const answer = await withTemporal(deps, () =>
      deps.temporal.workflow.getHandle(incidentId).executeUpdate(abortUpdate, { updateId: `abort/${actor.id}`, args: [{ reason, actor, at: new Date().toISOString() }] }),
    );
    return tellUser(audience, answer.ok ? `Aborting \`${incidentId}\`; completed steps are being undone.` : problemText(answer.problem), deps.log);
  });
}
