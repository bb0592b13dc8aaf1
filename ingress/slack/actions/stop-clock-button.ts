import type { App, BlockButtonAction } from '@slack/bolt';
import { ActionId, parseClockButtonValue } from '../../../slack/action-ids';
import type { SlackListenerDeps } from '../deps';
import { reasonModal } from '../modals/reason-modal';
import { problemText, tellUser } from '../tell-user';

/** "Stop clock…" beside a running clock in the status message opens the same modal as `/incident stop-clock`. */
export function registerStopClockButton(app: App, deps: SlackListenerDeps): void {
  app.action<BlockButtonAction>(ActionId.StopClock, async ({ ack, body, action, client }) => {
    await ack();
    const clock = parseClockButtonValue(action.value);
    const channel = body.channel?.id;
    if (!clock) return tellUser({ client, user: body.user.id, channel }, problemText({ code: 'slack.unknown_button', message: 'this button is not from Firebreak' }), deps.log);
    await client.views.open({ trigger_id: body.trigger_id, view: reasonModal('stop-clock', { incidentId: clock.incidentId, clockId: clock.clockId, channel }) });
  });
}
