import path from 'node:path';
import type { ReadGuard } from '../ingress/access/read-guard';
import type { SlackActivityDeps } from '../activities/slack';
import { SlackRoleDirectory } from '../activities/slack/role-directory';
import { createSlackWebClient } from '../activities/slack/web-client';
import type { IncidentClient } from '../ingress/incident-client';
import type { RunbookCatalog } from '../ingress/runbook-catalog';
import { type SlackIngress, createSlackApp } from '../ingress/slack/slack-app';
import type { Config } from './config';
import { type Logger, createLogger } from './logging';
import { resolveSecret } from './secret';
import type { SlackConfig } from './slack-config';

/** Link to one incident in the Temporal UI: the configured UI, or the embedded dev server's. */
function temporalUrl(config: Config, slack: SlackConfig): (incidentId: string) => string | undefined {
  const base = slack.temporalUiUrl ?? (config.temporal.address ? undefined : `http://127.0.0.1:${config.temporal.uiPort}`);
  return (incidentId) => (base ? `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(incidentId)}` : undefined);
}

function roleDirectory(slack: SlackConfig, token: string, log: Logger): SlackRoleDirectory {
  return new SlackRoleDirectory(createSlackWebClient(token, slack.apiUrl), slack.roles, slack.roleCacheSeconds * 1000, log);
}

/** What the Slack activities need; undefined without Slack, which makes `slack.sync` a no-op. */
export function slackActivityDeps(config: Config, log: Logger = createLogger()): SlackActivityDeps | undefined {
  const slack = config.slack;
  if (!slack) return undefined;
  const token = resolveSecret('slack.botToken', slack.botToken).reveal();
  return {
    client: createSlackWebClient(token, slack.apiUrl),
    roles: roleDirectory(slack, token, log),
    storeDir: path.join(config.dataDir, 'slack', 'messages'),
    channels: { name: slack.channelName, private: slack.channelPrivate, runbooks: slack.runbookChannels },
    temporalUrl: temporalUrl(config, slack),
  };
}

export interface SlackIngressDeps {
  /** The incident client with Slack's deadline (`slack.temporalTimeoutMs`): Slack users wait for their answer. */
  incidents: (deadlineMs: number) => IncidentClient;
  catalog: RunbookCatalog;
  log: Logger;
  reads?: ReadGuard;
}

/** The Slack app for the HTTP service; undefined (said once in the log) when Slack is not configured. */
export function slackIngressFromConfig(config: Config, deps: SlackIngressDeps): SlackIngress | undefined {
  const slack = config.slack;
  if (!slack) {
    deps.log.info('slack is not configured: approvals, inputs and declarations work through the CLI and HTTP API');
    return undefined;
  }
  const token = resolveSecret('slack.botToken', slack.botToken).reveal();
  const signingSecret = slack.signingSecret;
  const ingress = createSlackApp(
    {
      botToken: token,
      teamId: slack.teamId,
      appId: slack.appId,
      apiUrl: slack.apiUrl,
      appToken: slack.appToken && resolveSecret('slack.appToken', slack.appToken).reveal(),
      // Read at each request so a rotated `file:` secret is picked up without a restart.
      signingSecret: signingSecret ? () => resolveSecret('slack.signingSecret', signingSecret).reveal() : undefined,
    },
    {
      incidents: deps.incidents(slack.temporalTimeoutMs),
      catalog: deps.catalog,
      roles: roleDirectory(slack, token, deps.log),
      people: slack.people,
      log: deps.log,
      reads: deps.reads,
    },
  );
  deps.log.info({ mode: ingress.mode }, 'slack app ready');
  return ingress;
}
