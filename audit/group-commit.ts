import type { z } from 'zod';
import { AuditError } from './errors';
import { AuditEntry, AuditRecord, sealRecord } from './record';

/** One `AuditLog.append` waiting for the next group commit. */
export interface PendingAppend {
  entry: z.output<typeof AuditEntry>;
  /** `canonicalJson(entry.data)`, written when the entry was appended. */
  dataText: string;
  /** `keyDigest(entry.key)`, computed once: the key index is looked up and updated with it. */
  digest: string;
  resolve(record: AuditRecord): void;
  reject(err: unknown): void;
}

export interface StagedRecord {
  record: AuditRecord;
  /** Length of its stored line, newline included. */
  bytes: number;
  digest: string;
  /** The append and any same-key appends of the same batch: all get this one record. */
  waiters: PendingAppend[];
}

/** A batch sealed onto the chain, ready for one durable write. */
export interface StagedBatch {
  records: StagedRecord[];
  /** Every line, newline-terminated, in order. */
  text: string;
  /** Indices into `records` of those a checkpoint is due after: the checkpoint commits to the chain up to them. */
  checkpointAfter: number[];
}

/** Where the chain stands on disk, and when it was last checkpointed. */
export interface ChainEnd {
  size: number;
  head: string;
  lastCheckpoint?: { size: number; at: string } | undefined;
  firstRecordAt?: string | undefined;
}

export interface StageOptions {
  /** The batch's timestamp: its records are committed together. */
  at: Date;
  maxRecordBytes: number;
  /** Checkpoint once this many records follow the last one; undefined: no checkpoints (no signing key). */
  checkpointEvery: number | undefined;
  checkpointIntervalMs: number;
}

/**
 * Seals `batch` onto the chain after `end`: one record per distinct key (same-key appends share it), each too-large
 * record refused on the spot (`audit.record_too_large`) and left out. The checkpoints due are marked at exactly the
 * records they would have followed had each been written alone, so a batch never moves where a checkpoint falls; the
 * caller writes them once the batch is on disk, since a checkpoint must only commit to records already there.
 */
export function stageBatch(batch: PendingAppend[], end: ChainEnd, opts: StageOptions): StagedBatch {
  const records: StagedRecord[] = [];
  const checkpointAfter: number[] = [];
  const byDigest = new Map<string, StagedRecord>();
  const at = opts.at.toISOString();
  const nowMs = opts.at.getTime();
  let text = '';
  let { size, head } = end;
  let checkpointedSize = end.lastCheckpoint?.size ?? 0;
  const since = end.lastCheckpoint?.at ?? end.firstRecordAt;
  // When the interval clock started: the last checkpoint, else the first record (this batch's, for a new log).
  let sinceMs = since === undefined ? undefined : Date.parse(since);
  for (const pending of batch) {
    const twin = byDigest.get(pending.digest);
    if (twin) {
      twin.waiters.push(pending);
      continue;
    }
    const { entry } = pending;
    const sealed = sealRecord({ key: entry.key, actor: entry.actor, action: entry.action, incidentId: entry.incidentId, subject: entry.subject, data: entry.data, seq: size + 1, at, prev: head }, pending.dataText);
    const bytes = Buffer.byteLength(sealed.line) + 1;
    if (bytes > opts.maxRecordBytes) {
      pending.reject(new AuditError('audit.record_too_large', 'audit record too large', { bytes, max: opts.maxRecordBytes }));
      continue;
    }
    const staged = { record: sealed.record, bytes, digest: pending.digest, waiters: [pending] };
    records.push(staged);
    byDigest.set(pending.digest, staged);
    text += `${sealed.line}\n`;
    size += 1;
    head = sealed.record.hash;
    sinceMs ??= nowMs;
    if (opts.checkpointEvery !== undefined && (size - checkpointedSize >= opts.checkpointEvery || nowMs - sinceMs >= opts.checkpointIntervalMs)) {
      checkpointAfter.push(records.length - 1);
      checkpointedSize = size;
      sinceMs = nowMs;
    }
  }
  return { records, text, checkpointAfter };
}
