import { hash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Checkpoint } from './checkpoint';
import { AuditError } from './errors';
import { readLines } from './jsonl-lines';
import { AuditRecord, GENESIS_HASH, ParsedAuditLine } from './record';

/** File names inside an audit directory. */
export const AUDIT_FILES = { records: 'audit.jsonl', checkpoints: 'checkpoints.jsonl', lock: 'audit.lock' } as const;

export function auditPaths(dir: string) {
  return {
    records: join(dir, AUDIT_FILES.records),
    checkpoints: join(dir, AUDIT_FILES.checkpoints),
    lock: join(dir, AUDIT_FILES.lock),
  };
}

/**
 * What an appender must know about the files on disk: the chain head, where each idempotency
 * key was stored, and the last checkpoint. It is rebuilt by reading the files (the log is
 * its own persistent key index) and caught up incrementally, because another process may
 * have appended since we last looked.
 */
export class LogState {
  size = 0;
  head = GENESIS_HASH;
  lastCheckpoint: Checkpoint | undefined;
  /** When record 1 was written: the interval clock's start until the first checkpoint exists. */
  firstRecordAt: string | undefined;
  private recordBytes = 0;
  private checkpointBytes = 0;
  // Digest of the key → byte offset of its record. Digests bound memory whatever the key length.
  private readonly keyOffsets = new Map<string, number>();

  constructor(private readonly paths: ReturnType<typeof auditPaths>) {}

  /** Byte offset of the record stored under the key whose `keyDigest` is `digest`, if any. */
  offsetOf(digest: string): number | undefined {
    return this.keyOffsets.get(digest);
  }

  /**
   * Reads what was appended since the last call. With `repairTornTail` (only while holding the
   * lock) a trailing fragment without a newline, left by a crash mid-write, is cut off: it was
   * never acknowledged to any caller. Throws `audit.log_corrupt` when a line does not continue
   * the chain, so nothing is ever appended after damage (fail closed).
   */
  async catchUp(repairTornTail: boolean): Promise<void> {
    // A stat is far cheaper than opening a stream; usually nobody else appended.
    const [records, checkpoints] = await Promise.all([fileSize(this.paths.records), fileSize(this.paths.checkpoints)]);
    if (records === this.recordBytes && checkpoints === this.checkpointBytes) return;
    let tornRecord: number | undefined;
    for await (const line of readLines(this.paths.records, { start: this.recordBytes, onTail: (at) => (tornRecord = at) })) {
      const record = parseLine(line.text, ParsedAuditLine, line.offset, 'record');
      if (record.seq !== this.size + 1 || record.prev !== this.head) {
        throw new AuditError('audit.log_corrupt', 'audit log does not continue the chain; run `audit verify`', { offset: line.offset, seq: record.seq });
      }
      this.noteRecord(record);
      this.keyOffsets.set(keyDigest(record.key), line.offset);
      this.recordBytes = line.end;
    }
    let tornCheckpoint: number | undefined;
    for await (const line of readLines(this.paths.checkpoints, { start: this.checkpointBytes, onTail: (at) => (tornCheckpoint = at) })) {
      const cp = parseLine(line.text, Checkpoint, line.offset, 'checkpoint');
      if (!this.lastCheckpoint || cp.size >= this.lastCheckpoint.size) this.lastCheckpoint = cp;
      this.checkpointBytes = line.end;
    }
    if (repairTornTail && tornRecord !== undefined) await fs.truncate(this.paths.records, tornRecord);
    if (repairTornTail && tornCheckpoint !== undefined) await fs.truncate(this.paths.checkpoints, tornCheckpoint);
  }

  /** Records that `bytes` bytes holding `record` (its key's `keyDigest`: `digest`) were appended at the current end of the log. */
  recordAppended(record: AuditRecord, bytes: number, digest: string): void {
    this.keyOffsets.set(digest, this.recordBytes);
    this.recordBytes += bytes;
    this.noteRecord(record);
  }

  private noteRecord(record: AuditRecord): void {
    this.size = record.seq;
    this.head = record.hash;
    if (record.seq === 1) this.firstRecordAt = record.at;
  }

  checkpointAppended(cp: Checkpoint, bytes: number): void {
    // A batch's checkpoints are written after its records, so another process's newer one may already be here.
    if (!this.lastCheckpoint || cp.size >= this.lastCheckpoint.size) this.lastCheckpoint = cp;
    this.checkpointBytes += bytes;
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await fs.stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** What the key index holds for `key`: a digest bounds memory whatever the key's length. */
export function keyDigest(key: string): string {
  return hash('sha256', key, 'base64').slice(0, 22);
}

function parseLine<T>(text: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, offset: number, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AuditError('audit.log_corrupt', `unreadable ${what} line; run \`audit verify\``, { offset });
  return parsed.data;
}

/** Reads the single record stored at `offset`. */
export async function readRecordAt(path: string, offset: number): Promise<AuditRecord> {
  for await (const line of readLines(path, { start: offset })) return parseLine(line.text, ParsedAuditLine, offset, 'record');
  throw new AuditError('audit.log_corrupt', 'indexed record is missing', { offset });
}
