import type { App } from '@slack/bolt';
import { ViewId } from '../../../slack/action-ids';
import { slackActor } from '../actor';
import type { SlackListenerDeps } from '../deps';
import { DeclareField } from '../modals/declare-modal';
import { decodeModalContext } from '../modals/metadata';
import { problemText, tellUser } from '../tell-user';

/** The declare modal was submitted: start the incident; its channel appears once the workflow's first sync runs. */
export function registerDeclareSubmitted(app: App, deps: SlackListenerDeps): void {
  app.view(ViewId.Declare, async ({ ack, body, view, client }) => {
    await ack();
    const context = decodeModalContext(view.private_metadata);
    const audience = { client, user: body.user.id, channel: context?.channel, responseUrl: context?.responseUrl };
    const values = view.state.values;
    const runbook = values[DeclareField.runbook]?.[DeclareField.runbook]?.selected_option?.value ?? '';
    const by = await slackActor(deps, body.user.id);
    const started = await deps.incidents.start({
      title: values[DeclareField.title]?.[DeclareField.title]?.value ?? '',
      severity: values[DeclareField.severity]?.[DeclareField.severity]?.selected_option?.value as never,
      runbook,
      description: values[DeclareField.description]?.[DeclareField.description]?.value ?? undefined,
      by,
    });
    if (!started.ok) return tellUser(audience, problemText(started.problem), deps.log);
    deps.log.info({ incidentId: started.value.incidentId, actor: by.id, runbook }, 'incident declared from slack');
    return tellUser(audience, `Declared \`${started.value.incidentId}\` (${runbook}). Its channel is being created.`, deps.log);
  });
}
