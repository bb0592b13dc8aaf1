import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../shared/logger';

export interface Audience {
  client: WebClient;
  user: string;
  /** Where the user acted; absent (e.g. a modal from a DM) means a direct message. */
  channel?: string;
  /** A slash command's response_url: works in channels the bot is not in (5 uses within 30 minutes). */
  responseUrl?: string;
}

/**
 * Tells one user something only they should see: ephemeral in the channel where they acted, else a DM. A Slack
 * failure here is logged, never thrown: the Temporal side already happened (or was refused) and is recorded.
 */
export async function tellUser(audience: Audience, text: string, log: Logger): Promise<void> {
  try {
    if (audience.responseUrl) {
      const answer = await fetch(audience.responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ response_type: 'ephemeral', text }) });
      if (!answer.ok) throw Object.assign(new Error(`response_url answered ${answer.status}`), { code: 'slack.response_url_failed' });
    } else if (audience.channel) await audience.client.chat.postEphemeral({ channel: audience.channel, user: audience.user, text });
    else await audience.client.chat.postMessage({ channel: audience.user, text });
  } catch (error) {
    log.warn({ err: error, user: audience.user }, 'could not tell the slack user');
  }
}

/** The line a refusal or failure is shown as: the code first, so support can search for it. */
export const problemText = (problem: { code: string; message: string }): string => `:warning: \`${problem.code}\` ${problem.message}`;
