import { ApplicationFailure } from '@temporalio/activity';
import type { ActionRequest } from '../../workflows/runbook-interpreter/steps/action';
import { FailureType } from '../../workflows/failure-types';
import type { SlackMessageStore } from './message-store';
import { type PostingDeps, postOnce } from './posting';

export type NotifySlackResult = { channel: string; ts: string } | { skipped: 'slack.not_configured' };

/**
 * `notify.slack`, the runbook action: posts `text` to the named channel, or to the incident's channel. Keyed by the
 * step's key, so a retry never posts twice.
 */
export function createNotifySlack(deps: (PostingDeps & { store: SlackMessageStore }) | undefined) {
  return async function notifySlack(request: ActionRequest): Promise<NotifySlackResult> {
    if (!deps) return { skipped: 'slack.not_configured' };
    const input = request.input as { channel?: string; text: string };
    const channel = input.channel ?? (await deps.store.get<{ channel: string }>(`${request.incidentId}/channel`))?.channel;
    if (!channel) {
      // The channel is created by the incident's first Slack sync; a retry after it has run will find it.
      throw ApplicationFailure.create({ type: FailureType.SlackUnavailable, message: 'the incident channel does not exist yet', details: [{ method: 'chat.postMessage' }] });
    }
    const posted = await postOnce(deps, request.key, channel, { text: input.text });
    return { channel: posted.channel, ts: posted.ts };
  };
}
