import { KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { Checkpoint, checkCheckpoint } from './checkpoint';
import { readLineBatches } from './jsonl-lines';
import { auditPaths } from './log-state';
import { AuditRecord, computeRecordHash, lineCarriesHash, ParsedAuditLine } from './record';
import { ChainTracker, type AuditProblem } from './chain-tracker';
import type { WitnessReport } from './witness';

export type { AuditProblem, AuditProblemCode } from './chain-tracker';

/** Outcome of `verifyAuditLog`. `problems` are sorted by `seq`, so `problems[0]` is the first bad record. */
export interface AuditVerification {
  ok: boolean;
  /** Record lines read, readable or not. */
  records: number;
  /** Checkpoint lines read, valid or not. */
  checkpoints: number;
  /** Highest sequence number seen and its stored hash. */
  head: { size: number; hash: string };
  problems: AuditProblem[];
  /** True when more problems existed than were kept (the list is capped to bound memory). */
  problemsTruncated: boolean;
  /** The heads a witness outside the log held, when one was consulted; absent: the log was checked against itself only. */
  witness?: { source: string; runs: number; unreadableRuns: number; heads: number; newest: number };
}

/** Records and checkpoints already in hand, e.g. from an export: parsed objects or raw JSON lines. */
export interface AuditLogContents {
  records: Iterable<unknown> | AsyncIterable<unknown>;
  checkpoints: Iterable<unknown> | AsyncIterable<unknown>;
}

/** A log directory's lines, a chunk of the file at a time: one await per megabyte instead of per record. */
interface LineBatches {
  batches: AsyncIterable<string[]>;
}
type Lines = AuditLogContents['records'] | LineBatches;

/**
 * Verifies a log directory (or its contents): every record's hash, the chain of `prev` links,
 * sequence numbers, every checkpoint's Ed25519 signature under `publicKey`, and that each
 * valid checkpoint's head is the chain's hash at its size (so rewriting history or deleting
 * the tail after a checkpoint is caught), and that the log still reaches every head a witness recorded. Streams the records: memory stays bounded by the
 * checkpoints plus a small window, whatever the log size. Never throws for bad content; I/O
 * errors other than a missing file do throw.
 */
export async function verifyAuditLog(source: string | AuditLogContents, publicKey: KeyObject, opts: { witness?: WitnessReport } = {}): Promise<AuditVerification> {
  const contents: { records: Lines; checkpoints: Lines } = typeof source === 'string' ? fromDirectory(source) : source;
  const tracker = new ChainTracker();
  // Heads the log's owner cannot reach (Temporal history): the log must still hold each, with the same hash.
  for (const head of opts.witness?.heads ?? []) tracker.expectWitnessedHead(head.size, head.hash, head.incidentId);
  let checkpointCount = 0;
  for await (const raw of eachOf(contents.checkpoints)) {
    checkpointCount++;
    const cp = Checkpoint.safeParse(typeof raw === 'string' ? safeJson(raw) : raw);
    if (!cp.success) tracker.report('audit.checkpoint_malformed', undefined, `checkpoint #${checkpointCount} is unreadable`);
    else {
      const defect = checkCheckpoint(cp.data, publicKey);
      if (defect === 'malformed') tracker.report('audit.checkpoint_malformed', cp.data.size, `checkpoint #${checkpointCount} note does not match its fields`);
      else if (defect === 'bad_signature') tracker.report('audit.checkpoint_bad_signature', cp.data.size, `checkpoint #${checkpointCount} is not signed by the given key`);
      else tracker.expectHeadAt(cp.data.size, cp.data.head);
    }
  }
  let recordCount = 0;
  for await (const batch of inBatches(contents.records)) {
    for (const raw of batch) {
      recordCount++;
      checkRecord(tracker, raw);
    }
  }
  const problems = tracker.finish();
  return {
    ok: problems.length === 0,
    records: recordCount,
    checkpoints: checkpointCount,
    head: tracker.head,
    problems,
    problemsTruncated: tracker.problemsTruncated,
    ...(opts.witness && {
      witness: { source: opts.witness.source, runs: opts.witness.runs, unreadableRuns: opts.witness.unreadableRuns, heads: opts.witness.heads.length, newest: Math.max(0, ...opts.witness.heads.map((h) => h.size)) },
    }),
  };
}

function checkRecord(tracker: ChainTracker, raw: unknown): void {
  const value = typeof raw === 'string' ? safeJson(raw) : raw;
  const parsed = typeof raw === 'string' ? ParsedAuditLine.safeParse(value) : AuditRecord.safeParse(value);
  if (parsed.success) {
    const record = parsed.data;
    // A stored line is checked as text first (about 5x faster); only one that fails is re-serialised.
    if (!(typeof raw === 'string' && lineCarriesHash(raw, record.hash)) && computeRecordHash(record) !== record.hash) {
      tracker.report('audit.hash_mismatch', record.seq, `record ${record.seq} does not match its hash`);
    }
    tracker.place(record.seq, record.hash, record.prev);
    return;
  }
  // Salvage what we can from a damaged line so one bad record doesn't hide every later problem.
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw) ?? '';
  const seq = salvage(value, text, 'seq', /"seq":(\d+)/);
  const at = seq === undefined ? tracker.head.size + 1 : Number(seq);
  tracker.report('audit.malformed', at, `record ${at} is unreadable`);
  tracker.place(at, salvage(value, text, 'hash', /"hash":"([0-9a-f]{64})"/), salvage(value, text, 'prev', /"prev":"([0-9a-f]{64})"/));
}

function salvage(value: unknown, text: string, field: string, pattern: RegExp): string | undefined {
  if (value && typeof value === 'object') {
    const v = (value as Record<string, unknown>)[field];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return pattern.exec(text)?.[1];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function fromDirectory(dir: string): { records: LineBatches; checkpoints: LineBatches } {
  const paths = auditPaths(dir);
  return { records: { batches: linesWithTail(paths.records) }, checkpoints: { batches: linesWithTail(paths.checkpoints) } };
}

async function* inBatches(lines: Lines): AsyncGenerator<readonly unknown[]> {
  if ('batches' in lines) yield* lines.batches;
  else for await (const one of lines) yield [one];
}

async function* eachOf(lines: Lines): AsyncGenerator<unknown> {
  for await (const batch of inBatches(lines)) yield* batch;
}

// A trailing fragment without a newline (a torn write) is yielded too, so it is reported as malformed.
async function* linesWithTail(path: string): AsyncGenerator<string[]> {
  let tail: { offset: number; bytes: number } | undefined;
  const onTail = (offset: number, bytes: number) => (tail = { offset, bytes });
  for await (const batch of readLineBatches(path, { onTail, chunkBytes: 1024 * 1024 })) yield batch.map((line) => line.text);
  if (!tail) return;
  const fh = await fs.open(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(tail.bytes, 1024 * 1024));
    await fh.read(buf, 0, buf.length, tail.offset);
    yield [buf.toString('utf8')];
  } finally {
    await fh.close();
  }
}
