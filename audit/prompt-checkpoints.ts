import type { AuditLog } from './audit-log';

/** How soon after new records a checkpoint commits to them. */
export const PROMPT_CHECKPOINT_MS = 2_000;

/**
 * Writes a signed checkpoint within `delayMs` of any new record, instead of every 1,000 records or 5 minutes: a
 * checkpoint that left the machine (mail, Slack) then covers all but the last couple of seconds of the log. Checks
 * the log's head on a timer rather than hooking appends, so it needs nothing from the append path; at most one
 * checkpoint per period, and none while nothing changed. Holds the log weakly: a log nobody uses any more is
 * collected and the timer stops.
 */
export function writeCheckpointsPromptly(log: AuditLog, opts: { delayMs?: number; onError?: (err: unknown) => void } = {}): void {
  const ref = new WeakRef(log);
  let covered = log.head.size;
  let busy = false;
  const timer = setInterval(() => {
    const current = ref.deref();
    if (!current) return clearInterval(timer);
    if (busy || current.head.size === covered) return;
    busy = true;
    current
      .checkpoint({ redeliver: false })
      .then((cp) => {
        covered = cp.size;
      })
      .catch((err: unknown) => {
        if ((err as { code?: string }).code === 'audit.closed') clearInterval(timer);
        else opts.onError?.(err);
      })
      .finally(() => {
        busy = false;
      });
  }, opts.delayMs ?? PROMPT_CHECKPOINT_MS);
  timer.unref();
}
