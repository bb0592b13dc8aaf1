import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Checkpoint, CheckpointSink } from '../audit';
import type { Config } from './config';
import type { Logger } from './logging';

/** The mail a checkpoint travels in: the signed note verbatim, so a recipient can check it without Firebreak. */
export function checkpointMail(checkpoint: Checkpoint, from: string, to: string) {
  const id = `${checkpoint.size}-${checkpoint.head.slice(0, 16)}`;
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
