import type { App } from '@slack/bolt';
import { ViewId } from '../../../slack/action-ids';
import { slackActor } from '../actor';
import type { SlackListenerDeps } from '../deps';
import { decodeModalContext } from '../modals/metadata';
import { REASON_FIELD, reasonProblem } from '../modals/reason-modal';
import { problemText, tellUser } from '../tell-user';

/**
 * An approve/reject reason modal was submitted: the decision goes to the workflow as an Update. A blank reason keeps
 * the modal open with the refusal; the validator refuses (and records nothing) when the user lacks the role now,
 * requested the approval, or the step is no longer waiting, and the user is told why. A double submit gets the first
 * result (one update id per step, person and decision).
 */
export function registerDecisionSubmitted(app: App, deps: SlackListenerDeps): void {
  app.view(ViewId.Decide, async ({ ack, body, view, client }) => {
    const context = decodeModalContext(view.private_metadata);
    const reason = view.state.values[REASON_FIELD]?.[REASON_FIELD]?.value ?? '';
    const refused = deps.incidents.check(context?.decision ?? 'approve', { stepId: context?.stepId ?? '-', reason, actor: { kind: 'person', id: body.user.id, roles: [] } });
    if (refused) return ack(reasonProblem(refused));
    await ack();
    const audience = { client, user: body.user.id, channel: context?.channel };
    if (!context?.incidentId || !context.stepId || !context.decision) {
      return tellUser(audience, problemText({ code: 'slack.unknown_modal', message: 'this form is not from Firebreak' }), deps.log);
    }
    const { incidentId, stepId, decision } = context;
    const actor = await slackActor(deps, body.user.id);
    const answer = await deps.incidents[decision]({ incidentId, stepId, reason, actor, draftSha256: context.draftSha256 });
    if (!answer.ok) return tellUser(audience, problemText(answer.problem), deps.log);
    deps.log.info({ incidentId, stepId, actor: actor.id, decision, stepOutcome: answer.value.stepOutcome }, 'slack decision accepted');
    return tellUser(audience, `Recorded: *${decision}* on ${stepId} (step is ${answer.value.stepOutcome}).`, deps.log);
  });
}
