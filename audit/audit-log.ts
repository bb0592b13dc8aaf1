import { KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { z } from 'zod';
import { Checkpoint, signCheckpoint } from './checkpoint';
import { appendDurably, createDurably } from './durable-files';
import { AuditError } from './errors';
import { auditPaths, LogState, readRecordAt } from './log-state';
import { LockLease } from './lock-lease';
import { AuditEntry, AuditRecord, sealRecord } from './record';

/** Receives every checkpoint after it is durably written, to ship it off the machine (email, Slack, WORM bucket). */
export type CheckpointSink = (checkpoint: Checkpoint) => Promise<void> | void;

export interface AuditLogOptions {
  /** Names this log in checkpoints, e.g. `firebreak.example.com/audit`. One line, stable for the log's life. */
  origin: string;
  /** Ed25519 private key. Without it no checkpoints are written and `checkpoint()` throws `audit.no_signing_key`. */
  signingKey?: KeyObject;
  /** Name on the checkpoint signature line; defaults to `origin`. */
  keyName?: string;
  /** Write a checkpoint once this many records were appended since the last one (default 1000). */
  checkpointEvery?: number;
  /** ...or when an append finds this much time passed since the last one (default 5 minutes). */
  checkpointIntervalMs?: number;
  sink?: CheckpointSink;
  /** Called when the sink fails for an automatic checkpoint; defaults to a process warning. */
  onSinkError?: (err: unknown, checkpoint: Checkpoint) => void;
  /** Largest stored line in bytes (default 64 KiB); `data` is meant to be small. */
  maxRecordBytes?: number;
  lockTimeoutMs?: number;
  /** Keep the cross-process lock this long after an append, for the next one (default 10 ms; 0: release every time). */
  lockLeaseMs?: number;
  now?: () => Date;
}

interface PendingAppend {
  entry: z.output<typeof AuditEntry>;
  resolve(record: AuditRecord): void;
  reject(err: unknown): void;
}

interface BatchedRecord {
  record: AuditRecord;
  line: Buffer;
  /** The append and any same-key appends of the same batch: all get this one record. */
  waiters: PendingAppend[];
}

/** What one group commit put on disk, settled after its lock is released. */
interface Written {
  records: { waiter: PendingAppend; record: AuditRecord }[];
  refused: { waiter: PendingAppend; err: AuditError }[];
  checkpoints: Checkpoint[];
}

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
  private readonly deliveries = new Set<Promise<void>>();
  private closed = false;
  private readonly lease: LockLease;

  private constructor(
    private readonly paths: ReturnType<typeof auditPaths>,
    private readonly state: LogState,
    private readonly opts: AuditLogOptions,
    // Kept open in append mode: opening per append cost more than the fdatasync itself.
    private readonly files: { records: FileHandle; checkpoints: FileHandle },
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
    const files = { records: await fs.open(paths.records, 'a', 0o600), checkpoints: await fs.open(paths.checkpoints, 'a', 0o600) };
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
  async append(entry: AuditEntry): Promise<AuditRecord> {
    const parsed = AuditEntry.safeParse(entry);
    if (!parsed.success) {
      throw new AuditError('audit.invalid_entry', 'invalid audit entry', { paths: parsed.error.issues.map((i) => i.path.join('.')) });
    }
    if (this.closed) throw new AuditError('audit.closed', 'audit log is closed');
    const stored = new Promise<AuditRecord>((resolve, reject) => this.waiting.push({ entry: parsed.data, resolve, reject }));
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

  /** Runs `op` holding the cross-process lock, with every record other processes appended read first. */
  private async locked<T>(op: () => Promise<T>): Promise<T> {
    let failed = true;
    try {
      if (await this.lease.take()) await this.state.catchUp(true);
      const result = await op();
      failed = false;
      return result;
    } finally {
      await this.lease.done(failed);
    }
  }

  private async storedUnder(key: string): Promise<AuditRecord | undefined> {
    const offset = this.state.offsetOf(key);
    if (offset === undefined) return undefined;
    const record = await readRecordAt(this.paths.records, offset);
    return record.key === key ? record : undefined;
  }

  /**
   * Group commit: every append that arrived while the previous batch was being written goes to disk in one write and
   * one fdatasync, under one lock. Concurrent callers (the ingress answers many senders at once) then share the
   * fsync instead of queueing behind one each; a lone caller still gets its own.
   */
  private async flush(): Promise<void> {
    this.flushQueued = false;
    const batch = this.waiting;
    this.waiting = [];
    const written: Written = { records: [], refused: [], checkpoints: [] };
    let failure: { err: unknown } | undefined;
    try {
      const fresh: PendingAppend[] = [];
      for (const pending of batch) {
        const known = await this.storedUnder(pending.entry.key);
        if (known) pending.resolve(known);
        else fresh.push(pending);
      }
      if (fresh.length > 0) await this.locked(() => this.writeBatch(fresh, written));
    } catch (err) {
      failure = { err };
    }
    // Settled only now, outside the lock's critical section (the lease may keep the lock a moment longer).
    for (const { waiter, record } of written.records) waiter.resolve(record);
    for (const { waiter, err } of written.refused) waiter.reject(err);
    // Those resolved ignore this; the rest may retry, and a record that did reach the disk is found by its key.
    if (failure) for (const pending of batch) pending.reject(failure.err);
    for (const cp of written.checkpoints) this.deliverInBackground(cp);
  }

  private async writeBatch(batch: PendingAppend[], written: Written): Promise<void> {
    const max = this.opts.maxRecordBytes ?? 64 * 1024;
    let segment: BatchedRecord[] = [];
    const byKey = new Map<string, BatchedRecord>();
    const commitSegment = async (): Promise<void> => {
      if (segment.length === 0) return;
      await appendDurably(this.files.records, Buffer.concat(segment.map((s) => s.line)));
      for (const s of segment) this.state.recordAppended(s.record, s.line.length);
      for (const s of segment) for (const waiter of s.waiters) written.records.push({ waiter, record: s.record });
      segment = [];
      byKey.clear();
    };
    for (const pending of batch) {
      const { key } = pending.entry;
      const twin = byKey.get(key);
      if (twin) {
        twin.waiters.push(pending);
        continue;
      }
      const raced = await this.storedUnder(key);
      if (raced) {
        written.records.push({ waiter: pending, record: raced });
        continue;
      }
      const previous = segment.at(-1)?.record;
      const body = { ...pending.entry, seq: (previous?.seq ?? this.state.size) + 1, at: this.now().toISOString(), prev: previous?.hash ?? this.state.head };
      const sealed = sealRecord(body);
      const record = sealed.record;
      const line = Buffer.from(`${sealed.line}\n`, 'utf8');
      if (line.length > max) {
        written.refused.push({ waiter: pending, err: new AuditError('audit.record_too_large', 'audit record too large', { bytes: line.length, max }) });
        continue;
      }
      const batched = { record, line, waiters: [pending] };
      segment.push(batched);
      byKey.set(key, batched);
      // A checkpoint commits only to records already on disk, so the segment is written before it.
      if (this.checkpointDue(segment.length)) {
        await commitSegment();
        written.checkpoints.push(await this.writeCheckpoint());
      }
    }
    await commitSegment();
  }

  /** Whether a checkpoint is due once `unwritten` more records are on disk. */
  private checkpointDue(unwritten: number): boolean {
    if (!this.opts.signingKey) return false;
    const last = this.state.lastCheckpoint;
    if (this.state.size + unwritten - (last?.size ?? 0) >= (this.opts.checkpointEvery ?? 1000)) return true;
    const since = last?.at ?? this.state.firstRecordAt;
    return since !== undefined && this.now().getTime() - Date.parse(since) >= (this.opts.checkpointIntervalMs ?? 5 * 60_000);
  }

  private async writeCheckpoint(): Promise<Checkpoint> {
    const key = this.opts.signingKey;
    if (!key) throw new AuditError('audit.no_signing_key', 'checkpoints need a signing key');
    const cp = signCheckpoint({ origin: this.opts.origin, size: this.state.size, head: this.state.head, at: this.now(), key, keyName: this.opts.keyName });
    const line = Buffer.from(`${JSON.stringify(cp)}\n`, 'utf8');
    await appendDurably(this.files.checkpoints, line);
    this.state.checkpointAppended(cp, line.length);
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
