import type { App, BlockButtonAction } from '@slack/bolt';
import { ActionId, parseStepButtonValue } from '../../../slack/action-ids';
import type { SlackListenerDeps } from '../deps';
import { answerModal } from '../modals/answer-modal';
import { problemText, tellUser } from '../tell-user';

/** The Answer button of an input step opens a modal typed after the question (carried in the button). */
export function registerAnswerButton(app: App, deps: SlackListenerDeps): void {
  app.action<BlockButtonAction>(ActionId.Answer, async ({ ack, body, action, client }) => {
    await ack();
    const step = parseStepButtonValue(action.value);
    const channel = body.channel?.id;
    if (!step) return tellUser({ client, user: body.user.id, channel }, problemText({ code: 'slack.unknown_button', message: 'this button is not from Firebreak' }), deps.log);
    const input = step.input ?? { type: 'text' };
    await client.views.open({
      trigger_id: body.trigger_id,
      view: answerModal(input.ask ?? step.stepId, input.type, input.choices ?? [], { incidentId: step.incidentId, stepId: step.stepId, channel }),
    });
  });
}
