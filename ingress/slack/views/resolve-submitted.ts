import type { App } from '@slack/bolt';
import { ViewId } from '../../../slack/action-ids';
import { resolveStepUpdate } from '../../../workflows/incident/messages';
import { slackActor } from '../actor';
import type { SlackListenerDeps } from '../deps';
import { decodeModalContext } from '../modals/metadata';
import { REASON_FIELD, reasonRequired } from '../modals/reason-modal';
import { problemText, tellUser } from '../tell-user';
import { withTemporal } from '../temporal-call';

const DONE = { retry: 'retrying it now', continue: 'the runbook goes on without it', abort: 'the incident is aborting; completed steps are being undone' } as const;

/**
 * A blocked step's reason modal was submitted: the choice goes to the workflow as `resolveStepUpdate`, refused (and
 * recorded nowhere) when the user holds none of the runbook's roles now or the step is no longer blocked. The update
 * id is the modal's view id: a double submit of one modal gets the first result, while a step that blocks again
 * after a retry can be retried again by the same person (a step/person id would answer that with the old result).
 */
export function registerResolveSubmitted(app: App, deps: SlackListenerDeps): void {
  app.view(ViewId.Resolve, async ({ ack, body, view, client }) => {
    const reason = view.state.values[REASON_FIELD]?.[REASON_FIELD]?.value?.trim() ?? '';
    if (!reason) return ack(reasonRequired);
    await ack();
    const context = decodeModalContext(view.private_metadata);
    const audience = { client, user: body.user.id, channel: context?.channel };
    if (!context?.incidentId || !context.stepId || !context.choice) {
      return tellUser(audience, problemText({ code: 'slack.unknown_modal', message: 'this form is not from Firebreak' }), deps.log);
    }
    const { incidentId, stepId, choice } = context;
    const actor = await slackActor(deps, body.user.id);
    const answer = await withTemporal(deps, () =>
      deps.temporal.workflow.getHandle(incidentId).executeUpdate(resolveStepUpdate, {
        updateId: `resolve/${stepId}/${view.id}`,
        args: [{ stepId, choice, reason, actor, at: new Date().toISOString() }],
      }),
    );
    if (answer.ok) {
      deps.log.info({ incidentId, stepId, actor: actor.id, choice }, 'slack step resolution accepted');
      return tellUser(audience, `Recorded: *${choice}* on ${stepId}; ${DONE[choice]}.`, deps.log);
    }
    deps.log.warn({ incidentId, stepId, actor: actor.id, refusal: answer.problem.code }, 'slack step resolution not accepted');
    return tellUser(audience, problemText(answer.problem), deps.log);
  });
}
