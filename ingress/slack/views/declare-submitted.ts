import type { App } from '@slack/bolt';
import { Severity } from '../../../runbooks/schema/alert';
import { ViewId } from '../../../slack/action-ids';
import { slackActor } from '../actor';
import type { SlackListenerDeps } from '../deps';
import { DeclareField } from '../modals/declare-modal';
import { decodeModalContext } from '../modals/metadata';
import { problemText, tellUser } from '../tell-user';
import { withTemporal } from '../temporal-call';

/** The declare modal was submitted: start the incident; its channel appears once the workflow's first sync runs. */
export function registerDeclareSubmitted(app: App, deps: SlackListenerDeps): void {
  app.view(ViewId.Declare, async ({ ack, body, view, client }) => {
    await ack();
    const context = decodeModalContext(view.private_metadata);
    const audience = { client, user: body.user.id, channel: context?.channel, responseUrl: context?.responseUrl };
    const values = view.state.values;
    const title = values[DeclareField.title]?.[DeclareField.title]?.value?.trim() ?? '';
    const severity = Severity.safeParse(values[DeclareField.severity]?.[DeclareField.severity]?.selected_option?.value);
    const runbookId = values[DeclareField.runbook]?.[DeclareField.runbook]?.selected_option?.value ?? '';
    const description = values[DeclareField.description]?.[DeclareField.description]?.value ?? undefined;
    const pinned = await deps.catalog.byId(runbookId);
    if (!title || !severity.success || !pinned) {
      return tellUser(audience, problemText({ code: 'request.invalid', message: 'a title, a severity and a known runbook are required' }), deps.log);
    }
    const by = await slackActor(deps, body.user.id);
    const started = await withTemporal(deps, () => deps.starter.declare({ title, severity: severity.data, description, by, at: new Date().toISOString() }, pinned));
    if (!started.ok) return tellUser(audience, problemText(started.problem), deps.log);
    deps.log.info({ incidentId: started.value.incidentId, actor: by.id, runbook: runbookId }, 'incident declared from slack');
    return tellUser(audience, `Declared \`${started.value.incidentId}\` (${runbookId}). Its channel is being created.`, deps.log);
  });
}
