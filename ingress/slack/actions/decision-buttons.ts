import type { App, BlockButtonAction } from '@slack/bolt';
import { ActionId, parseStepButtonValue } from '../../../slack/action-ids';
import type { SlackListenerDeps } from '../deps';
import { reasonModal } from '../modals/reason-modal';
import { problemText, tellUser } from '../tell-user';

/**
 * Approve and Reject buttons open the reason modal; the decision itself is sent on submission. Nothing here trusts
 * the clicker: roles are checked when the modal is submitted, from the verified user id.
 */
export function registerDecisionButtons(app: App, deps: SlackListenerDeps): void {
  for (const [actionId, decision] of [
    [ActionId.Approve, 'approve'],
    [ActionId.Reject, 'reject'],
  ] as const) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, client }) => {
      await ack();
      const step = parseStepButtonValue(action.value);
      const channel = body.channel?.id;
      if (!step) return tellUser({ client, user: body.user.id, channel }, problemText({ code: 'slack.unknown_button', message: 'this button is not from Firebreak' }), deps.log);
      await client.views.open({ trigger_id: body.trigger_id, view: reasonModal(decision, { incidentId: step.incidentId, stepId: step.stepId, decision, channel, draftSha256: step.draftSha256 }) });
    });
  }
}
