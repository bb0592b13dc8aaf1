import type { App } from '@slack/bolt';
import { ViewId } from '../../../slack/action-ids';
import { decideUpdate } from '../../../workflows/incident/messages';
import { slackActor } from '../actor';
import type { SlackListenerDeps } from '../deps';
import { decodeModalContext } from '../modals/metadata';
import { REASON_FIELD } from '../modals/reason-modal';
import { problemText, tellUser } from '../tell-user';
import { withTemporal } from '../temporal-call';

/**
 * An approve/reject reason modal was submitted: the decision goes to the workflow as an Update. The validator
 * refuses (and records nothing) when the user lacks the role now, requested the approval, or the step is no longer
 * waiting; the user is told why. The update id is per step, person and decision, so a double submit gets the first
 * result.
 */
export function registerDecisionSubmitted(app: App, deps: SlackListenerDeps): void {
  app.view(ViewId.Decide, async ({ ack, body, view, client }) => {
    await ack();
    const context = decodeModalContext(view.private_metadata);
    const reason = view.state.values[REASON_FIELD]?.[REASON_FIELD]?.value ?? '';
    const audience = { client, user: body.user.id, channel: context?.channel };
    if (!context?.incidentId || !context.stepId || !context.decision) {
      return tellUser(audience, problemText({ code: 'slack.unknown_modal', message: 'this form is not from Firebreak' }), deps.log);
    }
    const { incidentId, stepId, decision } = context;
    const actor = await slackActor(deps, body.user.id);
    const answer = await withTemporal(deps, () =>
      deps.temporal.workflow.getHandle(incidentId).executeUpdate(decideUpdate, {
        updateId: `${stepId}/${actor.id}/${decision}`,
        args: [{ stepId, decision, reason, actor, at: new Date().toISOString(), draftSha256: context.draftSha256 }],
      }),
    );
    if (answer.ok) {
      deps.log.info({ incidentId, stepId, actor: actor.id, decision, stepOutcome: answer.value.stepOutcome }, 'slack decision accepted');
      return tellUser(audience, `Recorded: *${decision}* on ${stepId} (step is ${answer.value.stepOutcome}).`, deps.log);
    }
    deps.log.warn({ incidentId, stepId, actor: actor.id, refusal: answer.problem.code }, 'slack decision not accepted');
    return tellUser(audience, problemText(answer.problem), deps.log);
  });
}
