import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, linkSync, unlinkSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure, log } from '@temporalio/activity';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import { FailureType } from '../../workflows/failure-types';
import type { ActionRequest } from '../../workflows/runbook-interpreter/steps/action';
import { keyStem, messageIdFor } from './message-id';

const Recipients = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
export const EmailInput = z.object({ to: Recipients, cc: Recipients.optional(), subject: z.string().min(1).max(998), body: z.string().min(1) });
export type EmailInput = z.infer<typeof EmailInput>;

export interface EmailResult {
  messageId: string;
  to: string[];
  delivery: 'smtp' | 'outbox';
  file?: string;
  /** True when this attempt found the notice already sent by an earlier attempt and sent nothing. */
  alreadySent: boolean;
}

export interface EmailDeps {
  from: string;
  dataDir: string;
  /** Absent: messages are written as .eml files to <dataDir>/outbox. */
  smtp?: Transporter;
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Writes `content` to `file` only if no file is there yet; returns false when one already was. Atomic via link(2). */
function writeOnce(file: string, content: Buffer | string): boolean {
  mkdirSync(path.dirname(file), { recursive: true });
  if (existsSync(file)) return false;
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

function smtpFailure(error: unknown): never {
  const code = (error as { responseCode?: number }).responseCode;
  // SMTP 5xx is permanent: retrying would only repeat the refusal, so the step fails loudly instead.
  if (code !== undefined && code >= 500) {
    throw ApplicationFailure.create({ type: FailureType.EmailRejected, message: `SMTP server refused the message (${code})`, nonRetryable: true });
  }
  throw error;
}

/**
 * `notify.email`: sends one notice exactly once per idempotency key. The outbox write is atomic and keyed; an SMTP send
 * leaves a keyed marker, so a retry after a crash between sending and completing finds it and sends nothing.
 */
export function createSendEmail(deps: EmailDeps) {
  return async function sendEmail(request: ActionRequest): Promise<EmailResult> {
    const parsed = EmailInput.safeParse(request.input);
    if (!parsed.success) {
      throw ApplicationFailure.create({ type: FailureType.ActionInputInvalid, message: `notify.email: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')} invalid`, nonRetryable: true });
    }
    const input = parsed.data;
    const messageId = messageIdFor(request.key);
    const to = list(input.to);
    const stem = keyStem(request.key);
    const message = { from: deps.from, to, cc: list(input.cc), subject: input.subject, text: input.body, messageId, headers: { 'X-Firebreak-Incident': request.incidentId } };

    if (!deps.smtp) {
      const file = path.join(deps.dataDir, 'outbox', `${stem}.eml`);
      const built = await nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }).sendMail(message);
      const written = writeOnce(file, built.message as Buffer);
      log.info('notice written to outbox', { incidentId: request.incidentId, stepId: request.stepId, messageId, alreadySent: !written });
      return { messageId, to, delivery: 'outbox', file, alreadySent: !written };
    }

    const marker = path.join(deps.dataDir, 'mail-sent', `${stem}.json`);
    if (existsSync(marker)) return { ...(JSON.parse(readFileSync(marker, 'utf8')) as EmailResult), alreadySent: true };
    await deps.smtp.sendMail(message).catch(smtpFailure);
    const result: EmailResult = { messageId, to, delivery: 'smtp', alreadySent: false };
    writeOnce(marker, JSON.stringify(result));
    log.info('notice sent', { incidentId: request.incidentId, stepId: request.stepId, messageId });
    return result;
  };
}
