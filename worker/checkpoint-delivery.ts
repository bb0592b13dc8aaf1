import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/activity';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Checkpoint, CheckpointSink } from '../audit';
import { checkpointId, postCheckpoint } from '../activities/slack/checkpoint-post';
import { SlackMessageStore } from '../activities/slack/message-store';
import { createSlackWebClient } from '../activities/slack/web-client';
import type { Config } from './config';
import type { Logger } from './logging';
import { resolveSecret } from './secret';

/** The mail a checkpoint travels in: the signed note verbatim, so a recipient can check it without Firebreak. */
export function checkpointMail(checkpoint: Checkpoint, from: string, to: string) {
  const id = checkpointId(checkpoint);
  return {
    id,
    message: {
      from,
      to,
      subject: `Firebreak audit checkpoint ${checkpoint.origin} size ${checkpoint.size}`,
      text: `${checkpoint.note}\n${JSON.stringify(checkpoint)}\n`,
      messageId: `<audit-checkpoint-${id}@firebreak.local>`,
    },
  };
}

/**
 * Ships every checkpoint off the machine to `audit.checkpointEmail`: whoever holds both the log and the signing key
 * could otherwise rewrite history and re-sign it. Without SMTP the mail lands in the outbox like any notice. A failed
 * delivery is logged, not thrown: closing an incident must not wait on a mail server.
 */
export function checkpointEmailSink(config: Config, smtp: Transporter | undefined, log: Pick<Logger, 'warn'>): CheckpointSink | undefined {
  const to = config.audit.checkpointEmail;
  if (!to) return undefined;
  return async (checkpoint) => {
    const { id, message } = checkpointMail(checkpoint, config.email.from, to);
    try {
      if (smtp) {
        await smtp.sendMail(message);
        return;
      }
      const built = await nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }).sendMail(message);
      const outbox = path.join(config.dataDir, 'outbox');
      await mkdir(outbox, { recursive: true });
      await writeFile(path.join(outbox, `audit-checkpoint-${id}.eml`), built.message as Buffer, { mode: 0o600 });
    } catch (error) {
      log.warn({ err: error, size: checkpoint.size }, 'audit checkpoint delivery failed');
    }
  };
}

/** Tries per checkpoint: the audit log awaits its sink when an incident closes, so a Slack outage may not hold it long. */
const SLACK_TRIES = 3;

/**
 * Posts every checkpoint to `audit.checkpointSlackChannel`. The post is keyed per checkpoint and channel in the Slack
 * message store under the data dir, which the HTTP service and the worker share: both write checkpoints, and a close
 * that re-delivers an unchanged one must not post it twice. Not an activity, so it retries a transient failure itself,
 * briefly, and a try after a failed one first looks for the message the failed try may have landed. A failure that
 * outlasts the tries is logged, not thrown.
 */
export function checkpointSlackSink(config: Config, log: Pick<Logger, 'warn'>): CheckpointSink | undefined {
  const channel = config.audit.checkpointSlackChannel;
  const slack = config.slack;
  if (!channel || !slack) return undefined;
  const client = createSlackWebClient(resolveSecret('slack.botToken', slack.botToken).reveal(), slack.apiUrl);
  const store = new SlackMessageStore(path.join(config.dataDir, 'slack', 'messages'));
  return async (checkpoint) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await postCheckpoint({ client, store, attempt: () => attempt }, `audit-checkpoint/${channel}/${checkpointId(checkpoint)}`, channel, checkpoint, 'audit log');
        return;
      } catch (error) {
        const retry = error instanceof ApplicationFailure && !error.nonRetryable && attempt < SLACK_TRIES;
        if (!retry) {
          log.warn({ err: error, size: checkpoint.size, channel, attempt }, 'audit checkpoint not posted to slack');
          return;
        }
        // A 429 names its wait; capped, because the close this may be holding has its own timeout.
        const named = typeof error.nextRetryDelay === 'number' ? error.nextRetryDelay : undefined;
        await sleep(Math.min(named ?? attempt * 1000, 5000));
      }
    }
  };
}

/** Every configured off-machine copy of each checkpoint: mail and the audit Slack channel. */
export function checkpointSinks(config: Config, smtp: Transporter | undefined, log: Pick<Logger, 'warn'>): CheckpointSink | undefined {
  const sinks = [checkpointEmailSink(config, smtp, log), checkpointSlackSink(config, log)].filter((sink) => sink !== undefined);
  if (sinks.length === 0) return undefined;
  return async (checkpoint) => {
    await Promise.all(sinks.map((sink) => sink(checkpoint)));
  };
}
