import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { z } from 'zod';
import { FailureType } from '../../workflows/failure-types';
import type { ActionRequest } from '../../workflows/runbook-interpreter/steps/action';
import { keyStem } from './message-id';
import { type Recipient, readRecipients } from './recipients';
import { type EmailDeps, createSendEmail } from './send-email';

export const EmailBatchInput = z.object({
  /** `evidence:<sha256>` or `file:<name>` (under <dataDir>/recipients): a CSV with an `email` column, or a JSON array. */
  recipients: z.string().min(1),
  /** Per-recipient placeholders are `[[email]]`, `[[name]]`, `[[<column>]]`: `{{...}}` was already rendered by the workflow. */
  subject: z.string().min(1).max(998),
  body: z.string().min(1),
  perMinute: z.coerce.number().int().min(1).max(100_000).default(60),
  batchSize: z.coerce.number().int().min(1).max(1000).default(20),
});
export type EmailBatchInput = z.infer<typeof EmailBatchInput>;

/** Heartbeat details: where a retried attempt resumes. Sent markers make the position a hint, never the guarantee. */
export interface BatchProgress {
  position: number;
  total: number;
  sent: number;
  alreadySent: number;
}

export interface EmailBatchResult extends BatchProgress {
  rejected: { row: number; email: string }[];
}

export interface EmailBatchDeps extends EmailDeps {
  evidenceDir: string;
}

const fill = (text: string, recipient: Recipient): string =>
  text.replace(/\[\[\s*([A-Za-z0-9_-]+)\s*\]\]/g, (_, name: string) => (name === 'email' ? recipient.email : name === 'name' ? (recipient.name ?? '') : (recipient.fields[name] ?? '')));

/**
 * `notify.email-batch`: one notice per affected recipient, in batches of `batchSize` at no more than `perMinute`.
 * Each recipient has its own idempotency key (step key + hash of the address) and so its own Message-ID and sent
 * marker: a crash and retry resumes from the heartbeat position and nobody gets a second copy. Addresses the SMTP
 * server refuses permanently are collected; the step then fails loudly naming them (the rest are sent).
 */
export function createSendEmailBatch(deps: EmailBatchDeps) {
  const sendOne = createSendEmail(deps);
  return async function sendEmailBatch(request: ActionRequest): Promise<EmailBatchResult> {
    const parsed = EmailBatchInput.safeParse(request.input);
    if (!parsed.success) {
      throw ApplicationFailure.create({ type: FailureType.ActionInputInvalid, message: `notify.email-batch: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')} invalid`, nonRetryable: true });
    }
    const input = parsed.data;
    const list = readRecipients(input.recipients, { dataDir: deps.dataDir, evidenceDir: deps.evidenceDir });
    if (!list.ok) {
      throw ApplicationFailure.create({ type: FailureType.RecipientsInvalid, message: `affected-recipients list has ${list.issues.length} problem(s)`, nonRetryable: true, details: list.issues });
    }
    const ctx = Context.current();
    const resumed = ctx.info.heartbeatDetails as BatchProgress | undefined;
    const progress: BatchProgress = { position: resumed?.position ?? 0, total: list.recipients.length, sent: resumed?.sent ?? 0, alreadySent: resumed?.alreadySent ?? 0 };
    const rejected: EmailBatchResult['rejected'] = [];
    const batchMs = (input.batchSize * 60_000) / input.perMinute;
    while (progress.position < list.recipients.length) {
      const batchStarted = Date.now();
      const end = Math.min(progress.position + input.batchSize, list.recipients.length);
      for (; progress.position < end; progress.position++) {
        const recipient = list.recipients[progress.position]!;
        const key = `${request.key}/${keyStem(recipient.email.toLowerCase())}`;
        try {
          const result = await sendOne({ ...request, key, input: { to: recipient.email, subject: fill(input.subject, recipient), body: fill(input.body, recipient) } });
          if (result.alreadySent) progress.alreadySent++;
          else progress.sent++;
        } catch (error) {
          if (!(error instanceof ApplicationFailure && error.type === FailureType.EmailRejected)) throw error;
          rejected.push({ row: progress.position + 1, email: recipient.email });
        }
        ctx.heartbeat({ ...progress, position: progress.position + 1 });
      }
      if (progress.position < list.recipients.length) await ctx.sleep(Math.max(0, batchMs - (Date.now() - batchStarted)));
    }
    log.info('notice batch done', { incidentId: request.incidentId, stepId: request.stepId, total: progress.total, sent: progress.sent, alreadySent: progress.alreadySent, rejected: rejected.length });
    if (rejected.length > 0) {
      throw ApplicationFailure.create({ type: FailureType.EmailRejected, message: `${rejected.length} recipient(s) refused permanently`, nonRetryable: true, details: rejected });
    }
    return { ...progress, rejected };
  };
}
