import { Checkpoint } from '../../audit/checkpoint';
import type { CloseCheckpointRequest } from '../../workflows/incident/close-checkpoint';
import { escapeMrkdwn } from './blocks/format';
import type { MessageContent, PostingDeps } from './posting';
import { postOnce } from './posting';

/** Names one checkpoint wherever it is delivered (mail id, Slack key): the size alone repeats after a rewrite. */
export const checkpointId = (checkpoint: Checkpoint): string => `${checkpoint.size}-${checkpoint.head.slice(0, 16)}`;

/**
 * A checkpoint as a Slack message: the signed note verbatim in a code block and the checkpoint as JSON, so anyone
 * holding `audit-checkpoint.pub.pem` can check it without Firebreak. Only public values: the note is already signed.
 */
export function checkpointMessage(checkpoint: Checkpoint, context: string): MessageContent {
  const heading = `Firebreak audit checkpoint: ${checkpoint.origin}, size ${checkpoint.size}, ${checkpoint.at} (${context})`;
  const note = `\`\`\`\n${checkpoint.note}\`\`\``;
  const json = `\`\`\`\n${JSON.stringify(checkpoint)}\n\`\`\``;
  const verify = 'Signed note (C2SP signed-note format, Ed25519); verify it with the audit public key `audit-checkpoint.pub.pem`.';
  return {
    text: escapeMrkdwn(`${heading}\n${note}\n${json}`),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(heading) } },
      { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(note) } },
      { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(json) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: verify }] },
    ],
  };
}

/** Posts `checkpoint` to `channel` once per `key`: a retry after a lost answer finds the first message. */
export async function postCheckpoint(deps: PostingDeps, key: string, channel: string, checkpoint: Checkpoint, context: string): Promise<{ channel: string; ts: string }> {
  const posted = await postOnce(deps, key, channel, checkpointMessage(Checkpoint.parse(checkpoint), context));
  return { channel: posted.channel, ts: posted.ts };
}

/**
 * `slack.postCheckpoint`: the checkpoint made when an incident closed, into that incident's channel. Without a channel
 * (the mirror never got one up) there is nowhere to post; the audit channel and mail still carry the checkpoint.
 */
export async function postCloseCheckpoint(deps: PostingDeps, request: CloseCheckpointRequest): Promise<{ channel: string; ts: string } | { skipped: 'slack.no_channel' }> {
  const known = await deps.store.get<{ channel: string }>(`${request.incidentId}/channel`);
  if (!known) return { skipped: 'slack.no_channel' };
  return postCheckpoint(deps, `${request.incidentId}/audit-checkpoint`, known.channel, request.checkpoint, `incident ${request.incidentId} closed`);
}
