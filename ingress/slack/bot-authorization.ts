import type { Authorize } from '@slack/bolt';
import { type Logger as SlackLogger, WebClient } from '@slack/web-api';
import type { Logger } from '../../shared/logger';

// Bolt authorizes before any listener runs; an authorization waiting on the Web API would hold the ack past Slack's 3 s.
const IDENTITY_WAIT_MS = 300;

/**
 * Bolt's authorization for Firebreak's one workspace, never blocked on the Web API: the bot token is known, and the
 * bot's ids (from `auth.test`) are fetched once in the background and used once known. A Slack Web API that refuses
 * connections or hangs then delays no ack and fails no request; listeners still ack first and report later.
 */
export function botAuthorization(botToken: string, apiUrl: string | undefined, log: Logger, clientLogger: SlackLogger): Authorize<boolean> {
  const client = new WebClient(botToken, { ...(apiUrl && { slackApiUrl: apiUrl }), retryConfig: { retries: 0 }, timeout: 5_000, logger: clientLogger });
  let identity: { botId?: string; botUserId?: string } | undefined;
  let asking: Promise<void> | undefined;
  const ask = (): Promise<void> =>
    (asking ??= client.auth
      .test()
      .then((answer) => {
        identity = { ...(answer.bot_id && { botId: answer.bot_id }), ...(answer.user_id && { botUserId: answer.user_id }) };
      })
      .catch((error: unknown) => {
        log.warn({ code: 'slack.identity_unavailable', err: error }, 'slack auth.test failed; requests are served without the bot ids');
      })
      .finally(() => {
        asking = undefined;
      }));
  return async () => {
    if (!identity) await Promise.race([ask(), new Promise((resolve) => setTimeout(resolve, IDENTITY_WAIT_MS).unref())]);
    return { botToken, ...identity };
  };
}
