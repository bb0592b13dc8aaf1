import type { App } from '@slack/bolt';
import type { SlackListenerDeps } from '../deps';
import { declareModal } from '../modals/declare-modal';
import { reasonModal } from '../modals/reason-modal';
import { slackActor } from '../actor';
import { problemText, tellUser } from '../tell-user';
import { HELP_TEXT, parseSubcommand } from './subcommands';

const LIST_LIMIT = 20;
import { incidentListText, statusText } from './status-text';

/**
 * `/incident`. Acks at once (Slack shows an error after 3 s), then opens a modal with the still-fresh trigger id or
 * answers through the command's response_url once Temporal has answered.
 */
export function registerIncidentCommand(app: App, deps: SlackListenerDeps): void {
  app.command('/incident', async ({ ack, command, client }) => {
    await ack();
    const { name, args } = parseSubcommand(command.text);
    const audience = { client, user: command.user_id, channel: command.channel_id, responseUrl: command.response_url };
    const context = { channel: command.channel_id, responseUrl: command.response_url };
    switch (name) {
      case 'declare': {
        const runbooks = (await deps.catalog.runbooks()).map((p) => ({ id: p.runbook.id, title: p.runbook.title }));
        await client.views.open({ trigger_id: command.trigger_id, view: declareModal(runbooks, context) });
        return;
      }
      case 'abort': {
        if (!args[0]) return tellUser(audience, problemText({ code: 'command.missing_incident', message: 'usage: `/incident abort <incident-id>`' }), deps.log);
        await client.views.open({ trigger_id: command.trigger_id, view: reasonModal('abort', { ...context, incidentId: args[0] }) });
        return;
      }
      case 'stop-clock': {
        const [incidentId, clockId] = args;
        if (!incidentId || !clockId) return tellUser(audience, problemText({ code: 'command.missing_argument', message: 'usage: `/incident stop-clock <incident-id> <clock-id>`' }), deps.log);
        await client.views.open({ trigger_id: command.trigger_id, view: reasonModal('stop-clock', { ...context, incidentId, clockId }) });
        return;
      }
      case 'status': {
        if (!args[0]) return tellUser(audience, problemText({ code: 'command.missing_incident', message: 'usage: `/incident status <incident-id>`' }), deps.log);
        const answer = await deps.incidents.status(args[0]);
        if (answer.ok && deps.reads) {
          const seen = await deps.reads.incident(await slackActor(deps, command.user_id), answer.value.incidentId, 'slack.status', answer.value);
          if (!seen.allowed) return tellUser(audience, problemText({ code: seen.code, message: seen.reason }), deps.log);
        }
        return tellUser(audience, answer.ok ? statusText(answer.value) : problemText(answer.problem), deps.log);
      }
      case 'list': {
        const answer = await deps.incidents.list({ running: true, limit: LIST_LIMIT });
        if (!answer.ok) return tellUser(audience, problemText(answer.problem), deps.log);
        const rows = deps.reads ? await deps.reads.visible(await slackActor(deps, command.user_id), answer.value) : answer.value;
        return tellUser(audience, incidentListText(rows), deps.log);
      }
      case 'run': {
        // `/incident run <incident-id> <runbook>`; the other order is taken too (incident ids start with `incident/`).
        const [first, second] = args;
        const [incidentId, runbookId] = first && !first.startsWith('incident/') && second?.startsWith('incident/') ? [second, first] : [first, second];
        if (!incidentId || !runbookId) return tellUser(audience, problemText({ code: 'command.missing_argument', message: 'usage: `/incident run <incident-id> <runbook>`' }), deps.log);
        const actor = await slackActor(deps, command.user_id);
        const answer = await deps.incidents.runRunbook({ incidentId, runbook: runbookId, actor });
        return tellUser(audience, answer.ok ? `Running runbook \`${runbookId}\` in \`${incidentId}\` (\`${answer.value.childId}\`).` : problemText(answer.problem), deps.log);
      }
      case 'help':
        return tellUser(audience, HELP_TEXT, deps.log);
      default:
        return tellUser(audience, `${problemText({ code: 'command.unknown', message: 'unknown subcommand' })}\n${HELP_TEXT}`, deps.log);
    }
  });
}
