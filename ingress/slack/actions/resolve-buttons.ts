import type { App, BlockButtonAction } from '@slack/bolt';
import { ActionId, parseStepButtonValue } from '../../../slack/action-ids';
import type { SlackListenerDeps } from '../deps';
import { reasonModal } from '../modals/reason-modal';
import { problemText, tellUser } from '../tell-user';

/**
 * Retry, Continue without it and Abort incident on a blocked step open the reason modal; the choice is sent on
 * submission, when the clicker's roles are read (anyone in the channel can click).
 */
export function registerResolveButtons(app: App, deps: SlackListenerDeps): void {
  for (const [actionId, choice] of [
    [ActionId.Retry, 'retry'],
    [ActionId.Continue, 'continue'],
    [ActionId.AbortIncident, 'abort'],
  ] as const) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, client }) => {
      await ack();
      const step = parseStepButtonValue(action.value);
      const channel = body.channel?.id;
      if (!step) return tellUser({ client, user: body.user.id, channel }, problemText({ code: 'slack.unknown_button', message: 'this button is not from Firebreak' }), deps.log);
      await client.views.open({ trigger_id: body.trigger_id, view: reasonModal('resolve', { incidentId: step.incidentId, stepId: step.stepId, choice, channel }) });
    });
  }
}
