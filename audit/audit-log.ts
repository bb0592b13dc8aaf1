import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { Checkpoint, signCheckpoint } from './checkpoint';
import { createDurably, AppendFile } from './durable-files';
import { AuditError } from './errors';
import { type PendingAppend, type StagedBatch, stageBatch } from './group-commit';
import { auditPaths, keyDigest, LogState, readRecordAt } from './log-state';
import { LockLease } from './lock-lease';
import type { AuditLogOptions } from './log-options';
import { PlainAuditEntry } from './plain-entry';
import { AuditEntry, AuditRecord } from './record';

export type { AuditLogOptions, CheckpointSink } from './log-options';

// Compiled ahead (`z.compile`): the same schema and issues, for an entry `PlainAuditEntry` refuses.
const parseEntry = z.compile(AuditEntry);

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Append-only, hash-chained audit log in one directory (`audit.jsonl`, `checkpoints.jsonl`).
 * Safe for concurrent appends within a process (a promise queue, with group commit) and
 * across processes on one machine (a lock file). Every append is fsynced before it resolves.
 */
export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();
  /** Appends waiting for the next group commit. */
  private waiting: PendingAppend[] = [];
  private flushQueued = false;
  /** Appends the last batch settled: that many callers may be about to append again in its microtasks. */
  private lastReleased = 0;
  /** Checkpoints signed after a batch, to be written beside the next batch's records. */
  private dueCheckpoints: Checkpoint[] = [];
  private readonly deliveries = new Set<Promise<void>>();
  private closed = false;
  private readonly lease: LockLease;

  private constructor(
    private readonly paths: ReturnType<typeof auditPaths>,
    private readonly state: LogState,
    private readonly opts: AuditLogOptions,
    // Kept open in append mode: opening per append cost more than the fdatasync itself.
    private readonly files: { records: AppendFile; checkpoints: AppendFile },
  ) {
    this.lease = new LockLease(paths.lock, { timeoutMs: opts.lockTimeoutMs, idleMs: opts.lockLeaseMs });
  }

  /** Opens (creating if needed) the log in `dir`. Throws `audit.log_corrupt` if the files do not form a chain. */
  static async open(dir: string, opts: AuditLogOptions): Promise<AuditLog> {
    if (!opts.origin || opts.origin.includes('\n')) throw new AuditError('audit.invalid_entry', 'origin must be one non-empty line');
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const paths = auditPaths(dir);
    await createDurably(dir, [paths.records, paths.checkpoints]);
    const state = new LogState(paths);
    await state.catchUp(false);
    const files = { records: await AppendFile.open(paths.records), checkpoints: await AppendFile.open(paths.checkpoints) };
    return new AuditLog(paths, state, opts, files);
  }

  /** Current size and head hash as this process last saw them. */
  get head(): { size: number; hash: string } {
    return { size: this.state.size, hash: this.state.head };
  }

  /**
   * Appends a record and resolves once it is on disk. If a record with the same `key` already
   * exists (from any process, before or after a restart) that record is returned and nothing
   * is written, so a retried activity never records twice. Throws `audit.invalid_entry`,
   * `audit.record_too_large`, `audit.log_corrupt` or `audit.lock_timeout`.
   */
  // Not `async`: it returns the pending record itself rather than a promise of it, a few microtasks less per append.
  append(entry: AuditEntry): Promise<AuditRecord> {
    let parsed: ReturnType<typeof parseEntry.safeParse>;
    let dataText: string;
    try {
      parsed = PlainAuditEntry.safeParse(entry);
      if (!parsed.success) parsed = parseEntry.safeParse(entry);
      if (!parsed.success) {
        return Promise.reject(new AuditError('audit.invalid_entry', 'invalid audit entry', { paths: parsed.error.issues.map((i) => i.path.join('.')) }));
      }
      // Serialised now: what is stored is `data` as it was when appended, though nested values are shared with the caller.
      dataText = canonicalJson(parsed.data.data);
    } catch (err) {
      return Promise.reject(err); // e.g. a getter in `data` that throws: still a rejection, as from an async function
    }
    if (this.closed) return Promise.reject(new AuditError('audit.closed', 'audit log is closed'));
    const digest = keyDigest(parsed.data.key);
    const entryData = parsed.data;
    const stored = new Promise<AuditRecord>((resolve, reject) => this.waiting.push({ entry: entryData, dataText, digest, resolve, reject }));
    if (!this.flushQueued) {
      this.flushQueued = true;
      void this.serialised(() => this.flush()).catch(() => undefined);
    }
    return stored;
  }

  /**
   * Writes a signed checkpoint of the current head (e.g. at incident close) and hands it to
   * the sink, resolving after the sink did. If nothing was appended since the last checkpoint,
   * that one is delivered again (unless `redeliver: false`) instead of writing a duplicate. Throws `audit.no_signing_key`.
   */
  async checkpoint(opts: { redeliver?: boolean } = {}): Promise<Checkpoint> {
    if (!this.opts.signingKey) throw new AuditError('audit.no_signing_key', 'checkpoints need a signing key');
    let fresh = false;
    const cp = await this.serialised(() =>
      this.locked(async () => {
        const last = this.state.lastCheckpoint;
        if (last && last.size === this.state.size && last.head === this.state.head) return last;
        fresh = true;
        return this.writeCheckpoint();
      }),
    );
    // `redeliver: false` (prompt checkpoints): another writer already wrote and shipped this one.
    if (fresh || opts.redeliver !== false) await this.opts.sink?.(cp);
    return cp;
  }

  /** Waits for queued appends and checkpoint deliveries, then refuses further calls with `audit.closed`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.lease.release();
    await Promise.allSettled([...this.deliveries]);
    await this.files.records.close();
    await this.files.checkpoints.close();
  }

  private serialised<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new AuditError('audit.closed', 'audit log is closed'));
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs `op` holding the cross-process lock, with every record other processes appended read first (`caughtUp`). */
  private async locked<T>(op: (caughtUp: boolean) => Promise<T>): Promise<T> {
    let failed = true;
    try {
      const caughtUp = !this.lease.renew() && (await this.lease.take());
      if (caughtUp) await this.state.catchUp(true);
      const result = await op(caughtUp);
      failed = false;
      return result;
    } finally {
      const releasing = this.lease.done(failed);
      if (releasing) await releasing;
    }
  }

  /** The record already stored under the pending append's key, if any. */
  private async storedUnder(pending: PendingAppend): Promise<AuditRecord | undefined> {
    const offset = this.state.offsetOf(pending.digest);
    if (offset === undefined) return undefined;
    const record = await readRecordAt(this.paths.records, offset);
    return record.key === pending.entry.key ? record : undefined;
  }

  /**
   * Group commit: every append that arrived while the previous batch was being written goes to disk in one durable
   * write, under one lock. Concurrent callers (the ingress answers many senders at once) then share the sync instead of
   * queueing behind one each; a lone caller still gets its own.
   */
  private async flush(): Promise<void> {
    // Callers the previous batch just released append again in its microtasks, and belong in this batch rather than in
    // a batch of their own after it: while fewer are waiting than it released, give the rest one turn of the event loop.
    // A lone writer (one released, one back) goes at once.
    if (this.waiting.length < this.lastReleased) await nextTurn();
    this.flushQueued = false;
    const batch = this.waiting;
    this.waiting = [];
    const due = this.dueCheckpoints;
    this.dueCheckpoints = [];
    try {
      // Most keys are new: then no lookup is awaited.
      const fresh = batch.some((p) => this.state.offsetOf(p.digest) !== undefined) ? await this.withoutStored(batch) : batch;
      if (fresh.length === 0) return await this.writeCheckpoints(due);
      const at = this.now();
      const { staged, checkpointsFailed } = await this.locked((caughtUp) => this.commit(fresh, caughtUp, at, due));
      // Settled once the lock is done with (the lease may keep it a moment longer); the checkpoints they made due follow.
      let released = 0;
      for (const s of staged.records) for (const waiter of s.waiters) (waiter.resolve(s.record), (released += 1));
      this.lastReleased = released;
      // A checkpoint write that failed may have left a torn line: the next use takes the lock afresh and cuts it off.
      if (checkpointsFailed) await this.lease.release();
      if (staged.checkpointAfter.length > 0) await this.checkpointBatch(staged, at);
    } catch (err) {
      // Those settled ignore this; the rest may retry, and a record that did reach the disk is found by its key.
      for (const pending of batch) pending.reject(err);
    }
  }

  /**
   * Signs the checkpoints a batch made due, each at the record it falls after: they commit only to records already on
   * disk, and the batch's appends did not wait for them. When more appends are waiting already, they are written beside
   * that next batch's records (two files, two writes at once) rather than holding it up by a write of their own.
   */
  private async checkpointBatch(staged: StagedBatch, at: Date): Promise<void> {
    const signed = staged.checkpointAfter.map((i) => this.signCheckpoint(staged.records[i]!.record, at));
    await nextTurn();
    if (this.waiting.length > 0) this.dueCheckpoints = signed;
    else await this.writeCheckpoints(signed);
  }

  /** Writes signed checkpoints on their own under the lock, and hands them to the sink. */
  private async writeCheckpoints(checkpoints: Checkpoint[]): Promise<void> {
    if (checkpoints.length === 0) return;
    try {
      await this.locked(() => this.appendCheckpoints(checkpoints));
    } catch (err) {
      this.checkpointWriteFailed(err);
      return;
    }
    for (const cp of checkpoints) this.deliverInBackground(cp);
  }

  // No append waits for a checkpoint: a later batch finds one still due at its first record and writes it then.
  private checkpointWriteFailed(err: unknown): void {
    process.emitWarning(`audit checkpoint write failed: ${String(err)}`, { code: 'FIREBREAK_AUDIT_CHECKPOINT' });
  }

  /** Settles the appends whose key is already stored with that record, and returns the others. */
  private async withoutStored(batch: PendingAppend[]): Promise<PendingAppend[]> {
    const fresh: PendingAppend[] = [];
    for (const pending of batch) {
      const known = await this.storedUnder(pending);
      if (known) pending.resolve(known);
      else fresh.push(pending);
    }
    return fresh;
  }

  /**
   * Seals the batch onto the chain and writes it: one write on the O_DSYNC file, so on disk when this resolves. `due`
   * (checkpoints of earlier batches, already on disk) is written to the checkpoints file at the same time.
   */
  private async commit(batch: PendingAppend[], caughtUp: boolean, at: Date, due: Checkpoint[]): Promise<{ staged: StagedBatch; checkpointsFailed: boolean }> {
    // Another process may have stored one of these keys since the lookup before the lock.
    const fresh = caughtUp ? await this.withoutStored(batch) : batch;
    const end = { size: this.state.size, head: this.state.head, firstRecordAt: this.state.firstRecordAt, lastCheckpoint: due.at(-1) ?? this.state.lastCheckpoint };
    const staged = stageBatch(fresh, end, {
      at,
      maxRecordBytes: this.opts.maxRecordBytes ?? 64 * 1024,
      checkpointEvery: this.opts.signingKey ? (this.opts.checkpointEvery ?? 1000) : undefined,
      checkpointIntervalMs: this.opts.checkpointIntervalMs ?? 5 * 60_000,
    });
    const recordsWrite = staged.records.length > 0 ? this.files.records.append(Buffer.from(staged.text, 'utf8')) : undefined;
    let checkpointsFailed = false;
    // Most batches carry no checkpoint: then the records write alone is awaited.
    if (due.length > 0) {
      const [records, checkpoints] = await Promise.allSettled([recordsWrite, this.appendCheckpoints(due)]);
      checkpointsFailed = checkpoints.status === 'rejected';
      if (checkpoints.status === 'rejected') this.checkpointWriteFailed(checkpoints.reason);
      else for (const cp of due) this.deliverInBackground(cp);
      if (records.status === 'rejected') throw records.reason;
    } else {
      await recordsWrite;
    }
    for (const s of staged.records) this.state.recordAppended(s.record, s.bytes, s.digest);
    return { staged, checkpointsFailed };
  }

  private signCheckpoint(upTo: { seq: number; hash: string }, at: Date): Checkpoint {
    const key = this.opts.signingKey;
    if (!key) throw new AuditError('audit.no_signing_key', 'checkpoints need a signing key');
    return signCheckpoint({ origin: this.opts.origin, size: upTo.seq, head: upTo.hash, at, key, keyName: this.opts.keyName });
  }

  private async appendCheckpoints(checkpoints: Checkpoint[]): Promise<void> {
    const lines = checkpoints.map((cp) => `${JSON.stringify(cp)}\n`);
    await this.files.checkpoints.append(Buffer.from(lines.join(''), 'utf8'));
    checkpoints.forEach((cp, i) => this.state.checkpointAppended(cp, Buffer.byteLength(lines[i]!)));
  }

  private async writeCheckpoint(): Promise<Checkpoint> {
    const cp = this.signCheckpoint({ seq: this.state.size, hash: this.state.head }, this.now());
    await this.appendCheckpoints([cp]);
    return cp;
  }

  private deliverInBackground(cp: Checkpoint): void {
    const sink = this.opts.sink;
    if (!sink) return;
    const onError = this.opts.onSinkError ?? ((err: unknown) => process.emitWarning(`audit checkpoint sink failed: ${String(err)}`, { code: 'FIREBREAK_AUDIT_SINK' }));
    const delivery = Promise.resolve()
      .then(() => sink(cp))
      .catch((err: unknown) => onError(err, cp))
      .finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }
}
