import type { App } from '@slack/bolt';
import { ViewId } from '../../../slack/action-ids';
import { stopClockUpdate } from '../../../workflows/incident/messages';
import { slackActor } from '../actor';
import type { SlackListenerDeps } from '../deps';
import { decodeModalContext } from '../modals/metadata';
import { REASON_FIELD, reasonRequired } from '../modals/reason-modal';
import { problemText, tellUser } from '../tell-user';
import { withTemporal } from '../temporal-call';

/**
 * The stop-clock modal was submitted: `stopClockUpdate`, which the workflow refuses (recording nothing) unless the
 * user now holds a role that approves the runbook's disclosures, or incident-commander, and the clock is running.
 * The update id is the modal's view id, so a double submit gets the first result.
 */
export function registerStopClockSubmitted(app: App, deps: SlackListenerDeps): void {
  app.view(ViewId.StopClock, async ({ ack, body, view, client }) => {
    const reason = view.state.values[REASON_FIELD]?.[REASON_FIELD]?.value?.trim() ?? '';
    if (!reason) return ack(reasonRequired);
    await ack();
    const context = decodeModalContext(view.private_metadata);
    const audience = { client, user: body.user.id, channel: context?.channel, responseUrl: context?.responseUrl };
    if (!context?.incidentId || !context.clockId) return tellUser(audience, problemText({ code: 'slack.unknown_modal', message: 'this form is not from Firebreak' }), deps.log);
    const { incidentId, clockId } = context;
    const actor = await slackActor(deps, body.user.id);
    const answer = await withTemporal(deps, () =>
      deps.temporal.workflow.getHandle(incidentId).executeUpdate(stopClockUpdate, {
        updateId: `stop-clock/${clockId}/${view.id}`,
        args: [{ clockId, reason, actor, at: new Date().toISOString() }],
      }),
    );
    if (answer.ok) {
      deps.log.info({ incidentId, clockId, actor: actor.id }, 'slack clock stop accepted');
      return tellUser(audience, `Stopped clock \`${clockId}\` in \`${incidentId}\`; the reason is on the record.`, deps.log);
    }
    deps.log.warn({ incidentId, clockId, actor: actor.id, refusal: answer.problem.code }, 'slack clock stop not accepted');
    return tellUser(audience, problemText(answer.problem), deps.log);
  });
}
