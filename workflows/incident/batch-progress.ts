import { defineSignal, setHandler } from '@temporalio/workflow';
import { type IncidentState, addTimeline, findStep } from './state';

/** Where a `notify.email-batch` step has got to; its activity sends this, throttled, and once more when it is done. */
export interface BatchProgressReport {
  stepId: string;
  total: number;
  sent: number;
  /** Recipients an earlier attempt had already sent to: skipped, never sent twice. */
  alreadySent: number;
  /** Recipients the mail server refused for good. */
  failed: number;
  done: boolean;
  /** The activity's clock when it reported; recorded as sent, so replay sees the same time. */
  at: string;
}

/** A fact from a running batch activity: how many notices are out. Shown in the status, the CLI and Slack. */
export const batchProgressSignal = defineSignal<[BatchProgressReport]>('batchProgressSignal');

/**
 * Records a batch step's progress under its step id. A report after the final one (a late signal) or for a step the
 * incident has not started changes nothing. Each report is also a timeline entry: the audit log keeps the counts, and
 * the Slack status, which follows the timeline, shows them.
 */
export function recordBatchProgress(state: IncidentState, report: BatchProgressReport): void {
  const batches = (state.status.batches ??= {});
  if (batches[report.stepId]?.state === 'done' || !findStep(state, report.stepId)) return;
  const { stepId, total, sent, alreadySent, failed, done, at } = report;
  batches[stepId] = { total, sent, alreadySent, failed, state: done ? 'done' : 'running', updatedAt: at };
  addTimeline(state, {
    at,
    event: done ? 'notice.batch_done' : 'notice.batch_progress',
    stepId,
    detail: `${sent + alreadySent + failed} of ${total}: ${sent} sent, ${alreadySent} already sent, ${failed} failed`,
    facts: { total: String(total), sent: String(sent), alreadySent: String(alreadySent), failed: String(failed) },
  });
}

export function handleBatchProgress(state: IncidentState): void {
  setHandler(batchProgressSignal, (report) => recordBatchProgress(state, report));
}
