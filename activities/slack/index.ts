import { Context, log } from '@temporalio/activity';
import type { WebClient } from '@slack/web-api';
import type { CloseCheckpointRequest } from '../../workflows/incident/close-checkpoint';
import type { SlackSyncRequest } from '../../workflows/incident/slack-snapshot';
import type { IncidentChannelSettings } from './channel';
import { postCloseCheckpoint } from './checkpoint-post';
import { SlackMessageStore } from './message-store';
import { createNotifySlack } from './notify-slack';
import type { SlackRoleDirectory } from './role-directory';
import { type SyncResult, syncIncident } from './sync-incident';

export interface SlackActivityDeps {
  client: WebClient;
  roles: SlackRoleDirectory;
  /** Where posted message ts are remembered (under the data dir). */
  storeDir: string;
  channels: IncidentChannelSettings;
  temporalUrl(incidentId: string): string | undefined;
}

/**
 * The Slack activities. Without Slack configured (`deps` undefined) `slack.sync` and `slack.postCheckpoint` are
 * no-ops, so the workflow needs no knowledge of whether Slack exists.
 */
export function createSlackActivities(deps: SlackActivityDeps | undefined) {
  const store = deps && new SlackMessageStore(deps.storeDir);
  const attempt = () => Context.current().info.attempt;
  return {
    'notify.slack': createNotifySlack(deps && store && { client: deps.client, store, attempt }),
    'slack.sync': async (request: SlackSyncRequest): Promise<SyncResult | { skipped: 'slack.not_configured' }> => {
      if (!deps || !store) return { skipped: 'slack.not_configured' };
      const result = await syncIncident(
        { ...deps, store, attempt, now: () => new Date() },
        request,
      );
      log.info('slack synced', { incidentId: request.incidentId, channel: result.channel, statusTs: result.statusTs, from: request.from });
      return result;
    },
    'slack.postCheckpoint': async (request: CloseCheckpointRequest) => {
      if (!deps || !store) return { skipped: 'slack.not_configured' as const };
      const result = await postCloseCheckpoint({ client: deps.client, store, attempt }, request);
      log.info('close checkpoint posted', { incidentId: request.incidentId, size: request.checkpoint.size, ...result });
      return result;
    },
  };
}
