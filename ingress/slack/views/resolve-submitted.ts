import type { App } from '@slack/bolt';
import { ViewId } from '../../../slack/action-ids';
import { slackActor } from '../actor';
import type { SlackListenerDeps } from '../deps';
import { decodeModalContext } from '../modals/metadata';
import { REASON_FIELD, reasonProblem } from '../modals/reason-modal';
import { problemText, tellUser } from '../tell-user';

const DONE = { retry: 'retrying it now', continue: 'the runbook goes on without it', abort: 'the incident is aborting; completed steps are being undone' } as const;

/**
 * A blocked step's reason modal was submitted: the choice goes to the workflow as `resolveStepUpdate`, refused (and
 * recorded nowhere) when the user holds none of the runbook's roles now or the step is no longer blocked. The modal's
 * view id names the submission: a double submit of one modal gets the first result, while a step that blocks again
 * after a retry can be retried again by the same person.
 */
export function registerResolveSubmitted(app: App, deps: SlackListenerDeps): void {
  app.view(ViewId.Resolve, async ({ ack, body, view, client }) => {
    const context = decodeModalContext(view.private_metadata);
    const reason = view.state.values[REASON_FIELD]?.[REASON_FIELD]?.value ?? '';
    const refused = deps.incidents.check('resolve', { stepId: context?.stepId ?? '-', choice: context?.choice ?? 'retry', reason, actor: { kind: 'person', id: body.user.id, roles: [] } });
    if (refused) return ack(reasonProblem(refused));
    await ack();
    const audience = { client, user: body.user.id, channel: context?.channel };
    if (!context?.incidentId || !context.stepId || !context.choice) {
      return tellUser(audience, problemText({ code: 'slack.unknown_modal', message: 'this form is not from Firebreak' }), deps.log);
    }
    const { incidentId, stepId, choice } = context;
    const actor = await slackActor(deps, body.user.id);
    const answer = await deps.incidents.resolve({ incidentId, stepId, choice, reason, actor, submission: view.id });
    if (!answer.ok) return tellUser(audience, problemText(answer.problem), deps.log);
    deps.log.info({ incidentId, stepId, actor: actor.id, choice }, 'slack step resolution accepted');
    return tellUser(audience, `Recorded: *${choice}* on ${stepId}; ${DONE[choice]}.`, deps.log);
  });
}
