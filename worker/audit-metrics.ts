import { Gauge, type Registry } from 'prom-client';
import { LogState, auditPaths } from '../audit/log-state';

/*
 * How far the audit log's newest signed checkpoint trails the log, read from the files on scrape. A checkpoint is what
 * a copy off the machine can prove the log against: records after the newest one could be cut from the end unnoticed.
 * Checkpoints are written within seconds of new records (writeCheckpointsPromptly) and at least every 5 minutes of
 * appends, so records left uncovered for long mean no process can sign (key, lock or disk trouble).
 *
 * The files are read incrementally (the first scrape reads the whole log, later ones only what was appended), by a
 * reader of this process's own: the writers in other processes on the shared volume append to the same files.
 */

export interface CheckpointLag {
  /** Seconds since the newest checkpoint; with none yet, since the first record. */
  ageSeconds: number;
  recordsSince: number;
}

export function checkpointLag(state: Pick<LogState, 'size' | 'lastCheckpoint' | 'firstRecordAt'>, nowMs: number): CheckpointLag | undefined {
  const since = state.lastCheckpoint?.at ?? state.firstRecordAt;
  if (since === undefined) return undefined; // an empty log: nothing to cover
  return { ageSeconds: Math.max(0, Math.round((nowMs - Date.parse(since)) / 1000)), recordsSince: state.size - (state.lastCheckpoint?.size ?? 0) };
}

/** Adds `firebreak_audit_checkpoint_age_seconds` and `firebreak_audit_records_since_checkpoint` for the log in `auditDir`. */
export function registerAuditMetrics(registry: Registry, auditDir: string): void {
  const state = new LogState(auditPaths(auditDir));
  // Both gauges in one scrape share one catch-up; a scrape that cannot read the files (or finds them corrupt) exports
  // no series, so the "absent" rule pages instead of a stale value reading as healthy.
  let shared: { at: number; lag: Promise<CheckpointLag | undefined> } | undefined;
  const read = () => {
    if (!shared || Date.now() - shared.at > 1_000) {
      shared = { at: Date.now(), lag: state.catchUp(false).then(() => checkpointLag(state, Date.now())) };
      shared.lag.catch(() => (shared = undefined));
    }
    return shared.lag.catch(() => undefined);
  };
  const gauge = (name: string, help: string, pick: (lag: CheckpointLag) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.reset();
        const lag = await read();
        if (lag) this.set(pick(lag));
      },
    });
  gauge('firebreak_audit_checkpoint_age_seconds', 'Seconds since the audit log’s newest signed checkpoint (since its first record while it has none)', (lag) => lag.ageSeconds);
  gauge('firebreak_audit_records_since_checkpoint', 'Audit records appended after the newest signed checkpoint, not yet covered by one', (lag) => lag.recordsSince);
}
