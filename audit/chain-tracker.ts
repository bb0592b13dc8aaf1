import { GENESIS_HASH } from './record';

/** Stable codes of verification problems. Never renamed once released. */
export type AuditProblemCode =
  | 'audit.malformed'
  | 'audit.hash_mismatch'
  | 'audit.chain_broken'
  | 'audit.seq_gap'
  | 'audit.seq_duplicate'
  | 'audit.reordered'
  | 'audit.truncated'
  | 'audit.checkpoint_malformed'
  | 'audit.checkpoint_bad_signature'
  | 'audit.checkpoint_not_extending'
  | 'audit.witness_truncated'
  | 'audit.witness_mismatch';

/** One thing wrong with a log; `seq` locates the record (for checkpoints: the checkpoint's size). */
export interface AuditProblem {
  code: AuditProblemCode;
  seq?: number;
  message: string;
}

// How far back hashes are remembered to check `prev` links of records that arrive out of order.
const WINDOW = 4096;
// Gaps larger than this are reported at once instead of waiting for the missing records.
const MAX_PENDING_MISSING = 4096;
const MAX_PROBLEMS = 1000;

/**
 * Follows records by sequence number rather than by position, so that a swap of two records
 * is reported once as `audit.reordered` instead of as a cascade of broken links, and a
 * deletion once as `audit.seq_gap`. Memory is bounded by the windows above.
 */
export class ChainTracker {
  head = { size: 0, hash: GENESIS_HASH };
  problemsTruncated = false;
  private readonly problems: AuditProblem[] = [];
  private readonly hashBySeq = new Map<number, string>();
  private readonly missing = new Set<number>();
  // Records whose predecessor has not arrived yet, keyed by the predecessor's seq.
  private readonly awaitingPrev = new Map<number, { seq: number; prev: string }>();
  private readonly expectedHeads = new Map<number, string[]>();
  private readonly witnessed = new Map<number, { hash: string; incidentId: string }[]>();

  report(code: AuditProblemCode, seq: number | undefined, message: string): void {
    if (this.problems.length >= MAX_PROBLEMS) this.problemsTruncated = true;
    else this.problems.push(seq === undefined ? { code, message } : { code, seq, message });
  }

  /** A validly signed checkpoint claims the record at `size` has hash `head`. */
  expectHeadAt(size: number, head: string): void {
    if (size === 0) {
      if (head !== GENESIS_HASH) this.report('audit.checkpoint_not_extending', 0, 'empty-log checkpoint has a non-genesis head');
      return;
    }
    this.expectedHeads.set(size, [...(this.expectedHeads.get(size) ?? []), head]);
  }

  /** A witness outside the log (Temporal history) saw the record at `size` with hash `hash`. */
  expectWitnessedHead(size: number, hash: string, incidentId: string): void {
    this.witnessed.set(size, [...(this.witnessed.get(size) ?? []), { hash, incidentId }]);
  }

  /** Takes the next record in file order. `hash`/`prev` may be unknown for unreadable lines. */
  place(seq: number, hash: string | undefined, prev: string | undefined): void {
    if (seq <= this.head.size) {
      if (!this.missing.delete(seq)) {
        this.report('audit.seq_duplicate', seq, `record ${seq} appears more than once`);
        return;
      }
      this.report('audit.reordered', seq, `record ${seq} appears after record ${this.head.size}`);
    } else {
      this.noteSkipped(this.head.size + 1, seq - 1);
      this.head = { size: seq, hash: hash ?? this.head.hash };
    }
    if (prev !== undefined) this.checkPrev(seq, prev);
    if (hash === undefined) return;
    this.hashBySeq.set(seq, hash);
    this.hashBySeq.delete(seq - WINDOW);
    const waiting = this.awaitingPrev.get(seq);
    if (waiting) {
      this.awaitingPrev.delete(seq);
      if (waiting.prev !== hash) this.report('audit.chain_broken', waiting.seq, `record ${waiting.seq} does not link to record ${seq}`);
    }
    for (const claimed of this.expectedHeads.get(seq) ?? []) {
      if (claimed !== hash) this.report('audit.checkpoint_not_extending', seq, `checkpoint at size ${seq} names a different head than the log`);
    }
    for (const seen of this.witnessed.get(seq) ?? []) {
      if (seen.hash !== hash) this.report('audit.witness_mismatch', seq, `${seen.incidentId} recorded record ${seq} with a different hash than the log holds`);
    }
  }

  /** Reports what only the end can tell (gaps, a checkpoint beyond the tail) and returns problems sorted by seq. */
  finish(): AuditProblem[] {
    let runStart: number | undefined;
    const sorted = [...this.missing].sort((a, b) => a - b);
    sorted.forEach((seq, i) => {
      runStart ??= seq;
      if (sorted[i + 1] !== seq + 1) {
        this.report('audit.seq_gap', runStart, `records ${runStart}..${seq} are missing`);
        runStart = undefined;
      }
    });
    for (const size of this.expectedHeads.keys()) {
      if (size > this.head.size) {
        this.report('audit.truncated', this.head.size + 1, `a checkpoint covers ${size} records but the log ends at ${this.head.size}`);
      }
    }
    const beyond = [...this.witnessed.entries()].filter(([size]) => size > this.head.size);
    if (beyond.length > 0) {
      const [size, seen] = beyond.reduce((a, b) => (b[0] > a[0] ? b : a));
      this.report('audit.witness_truncated', this.head.size + 1, `${seen[0]!.incidentId} saw the log reach ${size} records but it ends at ${this.head.size} (${beyond.length} witnessed head(s) beyond the end)`);
    }
    // Stable sort: problems without a seq (unreadable checkpoints) go last, in the order found.
    return [...this.problems].sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
  }

  private noteSkipped(from: number, to: number): void {
    if (to < from) return;
    if (to - from + 1 + this.missing.size > MAX_PENDING_MISSING) {
      this.report('audit.seq_gap', from, `records ${from}..${to} are missing`);
      return;
    }
    for (let s = from; s <= to; s++) this.missing.add(s);
  }

  private checkPrev(seq: number, prev: string): void {
    const expected = seq === 1 ? GENESIS_HASH : this.hashBySeq.get(seq - 1);
    if (expected !== undefined) {
      if (expected !== prev) this.report('audit.chain_broken', seq, `record ${seq} does not link to record ${seq - 1}`);
    } else if (this.missing.has(seq - 1)) {
      this.awaitingPrev.set(seq - 1, { seq, prev });
    }
  }
}
