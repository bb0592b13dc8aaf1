import type { App } from '@slack/bolt';
import { ViewId } from '../../../slack/action-ids';
import { slackActor } from '../actor';
import type { SlackListenerDeps } from '../deps';
import { ANSWER_FIELD, answerValue } from '../modals/answer-modal';
import { decodeModalContext } from '../modals/metadata';
import { problemText, tellUser } from '../tell-user';

/** An answer modal was submitted: the typed value goes to the workflow as an Update, whose validator checks it. */
export function registerAnswerSubmitted(app: App, deps: SlackListenerDeps): void {
  app.view(ViewId.Answer, async ({ ack, body, view, client }) => {
    await ack();
    const context = decodeModalContext(view.private_metadata);
    const audience = { client, user: body.user.id, channel: context?.channel };
    const value = answerValue(context?.inputType ?? 'text', view.state.values[ANSWER_FIELD]?.[ANSWER_FIELD]);
    if (!context?.incidentId || !context.stepId || value === undefined) {
      return tellUser(audience, problemText({ code: 'input.invalid_answer', message: 'no answer was given' }), deps.log);
    }
    const { incidentId, stepId } = context;
    const actor = await slackActor(deps, body.user.id);
    const answer = await deps.incidents.answer({ incidentId, stepId, value, actor });
    return tellUser(audience, answer.ok ? `Recorded your answer to ${stepId}.` : problemText(answer.problem), deps.log);
  });
}
