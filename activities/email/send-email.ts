import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, linkSync, unlinkSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure, log } from '@temporalio/activity';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import { FailureType } from '../../workflows/failure-types';
import type { ActionRequest } from '../../workflows/runbook-interpreter/steps/action';
import type { AttachmentRef } from '../../workflows/notices/approval-hash';
import { AttachmentSpec, type EvidenceAccess, type LoadedAttachment, loadAttachments, mailAttachments } from './attachments';
import { keyStem, messageIdFor } from './message-id';

const Recipients = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
export const EmailInput = z.object({
  to: Recipients,
  cc: Recipients.optional(),
  subject: z.string().min(1).max(998),
  body: z.string().min(1),
  /** The notice template the text came from (`<obligation>.<audience>`): named when an attachment is missing. */
  notice: z.string().min(1).max(128).optional(),
  attachments: z.array(AttachmentSpec).max(20).optional(),
});
export type EmailInput = z.infer<typeof EmailInput>;

export interface EmailResult {
  messageId: string;
  to: string[];
  delivery: 'smtp' | 'outbox';
  file?: string;
  /** True when this attempt found the notice already sent by an earlier attempt and sent nothing. */
  alreadySent: boolean;
  /** What was attached: names, evidence ids and hashes, never the bytes. */
  attachments?: AttachmentRef[];
}

export interface EmailDeps {
  from: string;
  dataDir: string;
  /** Absent: messages are written as .eml files to <dataDir>/outbox. */
  smtp?: Transporter;
  /** Where attachments are read from; absent, a notice with attachments fails rather than go out without them. */
  evidence?: EvidenceAccess;
}

/** One notice, addressed and worded; attachments are read only when it has not gone out already. */
export interface Notice {
  to: string[];
  cc: string[];
  subject: string;
  body: string;
  attachments: () => Promise<LoadedAttachment[]>;
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
 * Delivers one notice exactly once per idempotency key. The outbox write is atomic and keyed; an SMTP send leaves a
 * keyed marker, so a retry after a crash between sending and completing finds it and sends (and reads) nothing.
 */
export function createDeliverNotice(deps: EmailDeps) {
  return async function deliverNotice(request: ActionRequest, notice: Notice): Promise<EmailResult> {
    const messageId = messageIdFor(request.key);
    const stem = keyStem(request.key);
    const marker = path.join(deps.dataDir, 'mail-sent', `${stem}.json`);
    const outboxFile = deps.smtp ? undefined : path.join(deps.dataDir, 'outbox', `${stem}.eml`);
    const sentBefore = (): EmailResult | undefined => {
      if (existsSync(marker)) return { ...(JSON.parse(readFileSync(marker, 'utf8')) as EmailResult), alreadySent: true };
      // The .eml is the commit point of an outbox delivery: a crash before its marker still counts as sent.
      if (outboxFile && existsSync(outboxFile)) return { messageId, to: notice.to, delivery: 'outbox', file: outboxFile, alreadySent: true };
      return undefined;
    };
    const earlier = sentBefore();
    if (earlier) return earlier;
    const loaded = await notice.attachments();
    const attachments = loaded.length > 0 ? loaded.map((a) => a.ref) : undefined;
    const message = {
      from: deps.from,
      to: notice.to,
      cc: notice.cc,
      subject: notice.subject,
      text: notice.body,
      messageId,
      headers: { 'X-Firebreak-Incident': request.incidentId },
      attachments: mailAttachments(loaded),
    };

    let result: EmailResult;
    if (outboxFile) {
      const built = await nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }).sendMail(message);
      if (!writeOnce(outboxFile, built.message as Buffer)) return sentBefore()!;
      result = { messageId, to: notice.to, delivery: 'outbox', file: outboxFile, alreadySent: false, ...(attachments && { attachments }) };
      log.info('notice written to outbox', { incidentId: request.incidentId, stepId: request.stepId, messageId, attachments: loaded.length });
    } else {
      await deps.smtp!.sendMail(message).catch(smtpFailure);
      result = { messageId, to: notice.to, delivery: 'smtp', alreadySent: false, ...(attachments && { attachments }) };
      log.info('notice sent', { incidentId: request.incidentId, stepId: request.stepId, messageId, attachments: loaded.length });
    }
    writeOnce(marker, JSON.stringify(result));
    return result;
  };
}

/** Reads a step's attachments for the people named in `purpose`; a step that attaches nothing never opens the store. */
export function attachmentReader(deps: EmailDeps, request: ActionRequest, input: { notice?: string; attachments?: AttachmentSpec[] }, purpose: string): () => Promise<LoadedAttachment[]> {
  return async () => {
    const specs = input.attachments ?? [];
    if (specs.length === 0) return [];
    if (!deps.evidence) throw ApplicationFailure.create({ type: FailureType.AttachmentMissing, message: 'this worker has no evidence store to read attachments from', nonRetryable: true });
    return loadAttachments(await deps.evidence(), { incidentId: request.incidentId, stepId: request.stepId, notice: input.notice }, specs, purpose);
  };
}

/** `notify.email`: one notice, exactly once per idempotency key, with the evidence its step attaches. */
export function createSendEmail(deps: EmailDeps) {
  const deliver = createDeliverNotice(deps);
  return async function sendEmail(request: ActionRequest): Promise<EmailResult> {
    const parsed = EmailInput.safeParse(request.input);
    if (!parsed.success) {
      throw ApplicationFailure.create({ type: FailureType.ActionInputInvalid, message: `notify.email: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')} invalid`, nonRetryable: true });
    }
    const input = parsed.data;
    const to = list(input.to);
    const cc = list(input.cc);
    const purpose = `attached to notice ${messageIdFor(request.key)} of step ${request.stepId} to ${[...to, ...cc].join(', ')}`;
    return deliver(request, { to, cc, subject: input.subject, body: input.body, attachments: attachmentReader(deps, request, input, purpose) });
  };
}
