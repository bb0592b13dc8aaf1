import { createHash } from 'node:crypto';
import type { KnownBlock, WebClient } from '@slack/web-api';
import type { PostedMessage, SlackMessageStore } from './message-store';
import { callSlack, callSlackTolerating } from './web-client';

export interface PostingDeps {
  client: WebClient;
  store: SlackMessageStore;
  /** This activity attempt's number: after a failed attempt the post may have landed without its ts being recorded. */
  attempt(): number;
}

export interface MessageContent {
  text: string;
  blocks?: KnownBlock[];
}

const METADATA_EVENT = 'firebreak_message';

const hashOf = (content: MessageContent): string => createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 32);

/** A message we posted earlier under `key` (found by its metadata), for an attempt that died between post and record. */
async function findPosted(deps: PostingDeps, channel: string, key: string, threadTs?: string): Promise<string | undefined> {
  const page = threadTs
    ? await callSlack('conversations.replies', () => deps.client.conversations.replies({ channel, ts: threadTs, limit: 200, include_all_metadata: true }))
    : await callSlack('conversations.history', () => deps.client.conversations.history({ channel, limit: 100, include_all_metadata: true }));
  const found = page.messages?.find((m) => (m.metadata?.event_payload as { key?: unknown } | undefined)?.key === key);
  return found?.ts;
}

/**
 * Posts a message once per key: the ts is recorded, and the key rides in the message metadata so a retry after a
 * lost answer finds the message instead of posting a twin (chat.postMessage has no idempotency key).
 */
export async function postOnce(deps: PostingDeps, key: string, channel: string, content: MessageContent, threadTs?: string): Promise<PostedMessage> {
  const seen = await deps.store.get(key);
  if (seen) return seen;
  const shown = hashOf(content);
  const earlier = deps.attempt() > 1 ? await findPosted(deps, channel, key, threadTs) : undefined;
  if (earlier) return deps.store.put(key, { channel, ts: earlier, shown: undefined });
  const posted = await callSlack('chat.postMessage', () =>
    deps.client.chat.postMessage({
      channel,
      text: content.text,
      ...(content.blocks && { blocks: content.blocks }),
      ...(threadTs && { thread_ts: threadTs }),
      unfurl_links: false,
      metadata: { event_type: METADATA_EVENT, event_payload: { key } },
    }),
  );
  return deps.store.put(key, { channel, ts: posted.ts!, shown });
}

/** Shows `content` in the message for `key`: posts it the first time, edits it in place after, skips an unchanged view. */
export async function showOnce(deps: PostingDeps, key: string, channel: string, content: MessageContent, note?: Record<string, unknown>): Promise<PostedMessage & { posted: boolean }> {
  const seen = await deps.store.get(key);
  if (!seen) {
    const posted = await postOnce(deps, key, channel, content);
    if (note) await deps.store.put(key, { ...posted, note });
    return { ...posted, note, posted: true };
  }
  const shown = hashOf(content);
  if (seen.shown === shown) return { ...seen, posted: false };
  // A message someone deleted stays deleted: failing every later sync over it would help nobody.
  await callSlackTolerating('chat.update', ['message_not_found'], () =>
    deps.client.chat.update({ channel: seen.channel, ts: seen.ts, text: content.text, ...(content.blocks && { blocks: content.blocks }) }),
  );
  await deps.store.put(key, { ...seen, shown, ...(note && { note }) });
  return { ...seen, shown, posted: false };
}
