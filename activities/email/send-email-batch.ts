import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { IllegalStateError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { FailureType } from '../../workflows/failure-types';
import { type BatchProgressReport, batchProgressSignal } from '../../workflows/incident/batch-progress';
import type { ActionRequest } from '../../workflows/runbook-interpreter/steps/action';
import { AttachmentSpec, type LoadedAttachment } from './attachments';
import { keyStem } from './message-id';
import { type Recipient, readRecipients } from './recipients';
import { type EmailDeps, attachmentReader, createDeliverNotice } from './send-email';

export const EmailBatchInput = z.object({
  /**
   * `evidence:<sha256>` or `evidence:<evidence id>` (one of the incident's evidence items, read through the store) or
   * `file:<name>` (under <dataDir>/recipients): a CSV with an `email` column, or a JSON array.
   */
  recipients: z.string().min(1),
  /** Per-recipient placeholders are `[[email]]`, `[[name]]`, `[[<column>]]`: `{{...}}` was already rendered by the workflow. */
  subject: z.string().min(1).max(998),
  body: z.string().min(1),
  notice: z.string().min(1).max(128).optional(),
  /** Read once per attempt and attached to every recipient's notice. */
  attachments: z.array(AttachmentSpec).max(20).optional(),
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
  /** Refused for good by the mail server so far (row is 1-based in the list). */
  rejected: { row: number; email: string }[];
}

export type EmailBatchResult = BatchProgress;

export interface EmailBatchDeps extends EmailDeps {
  /** Least time between two progress reports to the incident (the first and the last always go); default 30 s. */
  progressEveryMs?: number;
}

/** Every report is a signal and a timeline entry in the incident's history, so they are spaced out. */
export const DEFAULT_PROGRESS_EVERY_MS = 30_000;

const fill = (text: string, recipient: Recipient): string =>
  text.replace(/\[\[\s*([A-Za-z0-9_-]+)\s*\]\]/g, (_, name: string) => (name === 'email' ? recipient.email : name === 'name' ? (recipient.name ?? '') : (recipient.fields[name] ?? '')));

function workerClient(ctx: Context): Client | undefined {
  try {
    return ctx.client;
  } catch (error) {
    // A MockActivityEnvironment without a client (unit tests): there is no incident to tell.
    if (error instanceof IllegalStateError) return undefined;
    throw error;
  }
}

/**
 * Tells the incident workflow how far the batch is, through the worker's own client (its data converter encrypts the
 * payload like every other). Throttled to one report per `everyMs` plus a forced first and last. A report that cannot
 * be delivered is logged and dropped: progress is a view, the sends are what matter.
 */
function progressReporter(ctx: Context, request: ActionRequest, everyMs: number) {
  const client = workerClient(ctx);
  const workflowId = ctx.info.workflowExecution?.workflowId;
  let last = Number.NEGATIVE_INFINITY;
  return async (progress: BatchProgress, options: { force?: boolean; done?: boolean } = {}): Promise<void> => {
    if (!client || !workflowId || (!options.force && Date.now() - last < everyMs)) return;
    last = Date.now();
    const report: BatchProgressReport = {
      stepId: request.stepId,
      total: progress.total,
      sent: progress.sent,
      alreadySent: progress.alreadySent,
      failed: progress.rejected.length,
      done: options.done ?? false,
      at: new Date().toISOString(),
    };
    try {
      await client.workflow.getHandle(workflowId).signal(batchProgressSignal, report);
    } catch (error) {
      log.warn('batch progress not reported', { incidentId: request.incidentId, stepId: request.stepId, error: (error as Error).message });
    }
  };
}

/**
 * `notify.email-batch`: one notice per affected recipient, in batches of `batchSize` at no more than `perMinute`.
 * Each recipient has its own idempotency key (step key + hash of the address) and so its own Message-ID and sent
 * marker: a crash and retry resumes from the heartbeat position and nobody gets a second copy. Addresses the SMTP
 * server refuses permanently are collected; the step then fails loudly naming them (the rest are sent). Progress goes
 * to the incident's status as it runs.
 */
export function createSendEmailBatch(deps: EmailBatchDeps) {
  const deliver = createDeliverNotice(deps);
  return async function sendEmailBatch(request: ActionRequest): Promise<EmailBatchResult> {
    const parsed = EmailBatchInput.safeParse(request.input);
    if (!parsed.success) {
      throw ApplicationFailure.create({ type: FailureType.ActionInputInvalid, message: `notify.email-batch: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')} invalid`, nonRetryable: true });
    }
    const input = parsed.data;
    // Read once per attempt, before anything is sent: a tampered list fails the step with nobody notified. The custody
    // event names the step, not the people on the list.
    const noticeOf = input.notice ? `notice template ${input.notice}, step ${request.stepId}` : `step ${request.stepId}`;
    const list = await readRecipients(input.recipients, deps, request.incidentId, `affected-recipients list addressed by ${noticeOf}`);
    if (!list.ok) {
      throw ApplicationFailure.create({ type: FailureType.RecipientsInvalid, message: `affected-recipients list has ${list.issues.length} problem(s)`, nonRetryable: true, details: list.issues });
    }
    const ctx = Context.current();
    const resumed = ctx.info.heartbeatDetails as Partial<BatchProgress> | undefined;
    const progress: BatchProgress = { position: resumed?.position ?? 0, total: list.recipients.length, sent: resumed?.sent ?? 0, alreadySent: resumed?.alreadySent ?? 0, rejected: resumed?.rejected ?? [] };
    const report = progressReporter(ctx, request, deps.progressEveryMs ?? DEFAULT_PROGRESS_EVERY_MS);
    // Read once for the whole attempt, and only when someone is still owed a notice: the custody trail names the list,
    // not each person (an append-only audit log must not collect the addresses of everyone affected).
    let attachments: Promise<LoadedAttachment[]> | undefined;
    const readAttachments = attachmentReader(deps, request, input, `attached to the notices of step ${request.stepId} to the ${list.recipients.length} recipients of ${input.recipients}`);
    const sharedAttachments = () => (attachments ??= readAttachments());
    await report(progress, { force: true });
    const batchMs = (input.batchSize * 60_000) / input.perMinute;
    while (progress.position < list.recipients.length) {
      const batchStarted = Date.now();
      const end = Math.min(progress.position + input.batchSize, list.recipients.length);
      for (; progress.position < end; progress.position++) {
        const recipient = list.recipients[progress.position]!;
        const key = `${request.key}/${keyStem(recipient.email.toLowerCase())}`;
        try {
          const notice = { to: [recipient.email], cc: [], subject: fill(input.subject, recipient), body: fill(input.body, recipient), attachments: sharedAttachments };
          const result = await deliver({ ...request, key }, notice);
          if (result.alreadySent) progress.alreadySent++;
          else progress.sent++;
        } catch (error) {
          if (!(error instanceof ApplicationFailure && error.type === FailureType.EmailRejected)) throw error;
          progress.rejected.push({ row: progress.position + 1, email: recipient.email });
        }
        ctx.heartbeat({ ...progress, position: progress.position + 1 });
      }
      if (progress.position < list.recipients.length) {
        await report(progress);
        await ctx.sleep(Math.max(0, batchMs - (Date.now() - batchStarted)));
      }
    }
    await report(progress, { force: true, done: true });
    const rejected = progress.rejected;
    log.info('notice batch done', { incidentId: request.incidentId, stepId: request.stepId, total: progress.total, sent: progress.sent, alreadySent: progress.alreadySent, rejected: rejected.length });
    if (rejected.length > 0) {
      throw ApplicationFailure.create({ type: FailureType.EmailRejected, message: `${rejected.length} recipient(s) refused permanently`, nonRetryable: true, details: rejected });
    }
    return progress;
  };
}
