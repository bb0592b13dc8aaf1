import { createHash } from 'node:crypto';
import path from 'node:path';
import { BatchedAppender, SegmentLog, SharedLook } from '../segment-log';
import { hasLegacyFiles, legacyAcceptedAt, pruneLegacyFiles } from './legacy-delivery-files';

const DAY_MS = 24 * 3600_000;
export const DEFAULT_RETENTION_MS = 4 * DAY_MS;

/** Not a source name (those are `[a-z0-9-]`), so it never meets a legacy source folder. */
const SEGMENTS = '_segments';

const LOOK_REUSE_MS = 50;
const WRITE_LINGER_MS = 50;

/** One remembered delivery as a segment line holds it: `<acceptedAtMs> <source> <digest>`. */
interface SegmentEntry {
  at: number;
  source: string;
  /** A hash of the sender's delivery id: the files hold no sender content. */
  digest: string;
}

function parseEntry(line: string): SegmentEntry | undefined {
  const [at, source, digest] = line.split(' ');
  const when = Number(at);
  return source && digest && Number.isFinite(when) ? { at: when, source, digest } : undefined;
}

export interface DeliveryDedupeOptions {
  /** Retention per source name: the sender's retry horizon. Sources not listed get {@link DEFAULT_RETENTION_MS}. */
  retentionMs?: Readonly<Record<string, number>>;
  /** How often `remember` starts a background prune (default hourly); 0 disables it. */
  pruneEveryMs?: number;
  /** Told about a failed background prune; the delivery that triggered it is not affected. */
  onPruneError?: (error: unknown) => void;
  /** A process starts a new segment file this often (default hourly). */
  rotateEveryMs?: number;
  /** Milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
}

/**
 * Remembers sender delivery ids (webhook-id, X-GitHub-Delivery, ...) for the sender's whole retry horizon, so a retry
 * is answered 200 with no new effect, also after a restart and at another HTTP replica sharing the data volume.
 *
 * The ids live in memory, loaded at first use from append-only segment files under `<dir>/_segments/` (one writer
 * per file, see segment-log.ts) that every process sharing the folder reads. A delivery this process accepts is
 * a duplicate here at once and is appended within 50 ms in one batch with the others accepted meanwhile; an id this
 * process does not know is looked up again in what the other processes appended since its last look (one look, at
 * most 50 ms old, shared by the deliveries that arrive meanwhile). A file per delivery cost a create and a stat per
 * alert. The incident workflow dedupes the same ids again, so a race between replicas never double-counts an alert.
 */
export class DeliveryDedupe {
  private readonly segments: SegmentLog;
  private readonly look: SharedLook;
  private readonly appender: BatchedAppender;
  /** `<source> <digest>` → when accepted. */
  private readonly accepted = new Map<string, number>();
  private loading?: Promise<void>;
  /** Legacy per-delivery files are consulted only while some are left. */
  private legacy = false;
  private lastPruneAt: number;
  private pruning?: Promise<number>;
  private readonly now: () => number;

  constructor(
    private readonly dir: string,
    private readonly options: DeliveryDedupeOptions = {},
  ) {
    this.segments = new SegmentLog(path.join(dir, SEGMENTS), { rotateEveryMs: options.rotateEveryMs ?? 3600_000, durable: false });
    this.now = options.now ?? Date.now;
    // A redelivery comes seconds after the answer at the earliest (a sender's timeout or retry schedule), so an id
    // may reach the other replicas up to ~100 ms late: written within 50 ms, looked for at most 50 ms after.
    this.look = new SharedLook(() => this.segments.refresh((line) => this.noteLine(line), this.now()), LOOK_REUSE_MS);
    this.appender = new BatchedAppender((lines) => this.segments.append(lines, this.now()), WRITE_LINGER_MS);
    this.lastPruneAt = this.now();
  }

  retentionFor(source: string): number {
    return this.options.retentionMs?.[source] ?? DEFAULT_RETENTION_MS;
  }

  /** Whether `deliveryId` was accepted from `source` within its retention (here, at another replica, or before a restart). */
  async seen(source: string, deliveryId: string, now = this.now()): Promise<boolean> {
    const hex = sha256(deliveryId);
    const key = `${source} ${hex.slice(0, 32)}`;
    try {
      await this.load();
      if (this.within(key, source, now)) return true;
      await this.look.again();
      if (this.within(key, source, now)) return true;
      if (!this.legacy) return false;
      const at = await legacyAcceptedAt(this.dir, source, hex);
      return at !== undefined && now - at < this.retentionFor(source);
    } catch {
      // An unreadable store must not refuse alerts: the incident workflow still drops a delivery id it has seen.
      return this.within(key, source, now);
    }
  }

  /**
   * `remember` without making the answer wait for the file system: losing the record (a crash meanwhile) costs at most
   * a retry that the incident workflow deduplicates by the same delivery id. A failure goes to `onError`.
   */
  rememberInBackground(source: string, deliveryId: string, onError: (error: unknown) => void): void {
    this.remember(source, deliveryId).catch(onError);
  }

  /** Records a delivery after Temporal accepted it (a duplicate here at once), resolving once its batch is written. */
  async remember(source: string, deliveryId: string, now = this.now()): Promise<void> {
    const digest = sha256(deliveryId).slice(0, 32);
    this.note({ at: now, source, digest });
    await this.appender.add(`${now} ${source} ${digest}`);
    // After the write, so a segment it just rotated away from can go too.
    const every = this.options.pruneEveryMs ?? 3600_000;
    if (every > 0 && !this.pruning && now - this.lastPruneAt >= every) {
      this.lastPruneAt = now;
      this.pruning = this.prune(now)
        .catch((error: unknown) => {
          this.options.onPruneError?.(error);
          return 0;
        })
        .finally(() => (this.pruning = undefined));
    }
  }

  /** Forgets ids older than their source's retention, deletes segments holding only such ids and legacy files past it; returns how many ids. */
  async prune(now = this.now()): Promise<number> {
    await this.load();
    let forgotten = 0;
    for (const [key, at] of this.accepted) {
      if (now - at >= this.retentionFor(key.slice(0, key.indexOf(' ')))) {
        this.accepted.delete(key);
        forgotten += 1;
      }
    }
    const longest = Math.max(DEFAULT_RETENTION_MS, ...Object.values(this.options.retentionMs ?? {}));
    await this.segments.prune(longest, now);
    if (this.legacy) {
      forgotten += await pruneLegacyFiles(this.dir, SEGMENTS, (source) => this.retentionFor(source), now);
      this.legacy = await hasLegacyFiles(this.dir, SEGMENTS);
    }
    return forgotten;
  }

  /** Writes what is queued and closes this process's segment. */
  async close(): Promise<void> {
    await this.appender.flush(0).catch(() => undefined);
    await this.segments.close();
  }

  private within(key: string, source: string, now: number): boolean {
    const at = this.accepted.get(key);
    return at !== undefined && now - at < this.retentionFor(source);
  }

  private noteLine(line: string): void {
    const entry = parseEntry(line);
    if (entry) this.note(entry);
  }

  private note(entry: SegmentEntry): void {
    const key = `${entry.source} ${entry.digest}`;
    if ((this.accepted.get(key) ?? -Infinity) < entry.at) this.accepted.set(key, entry.at);
  }

  /** Loads the remembered ids (the first `seen` does otherwise); rejects when the folder cannot be read. */
  load(): Promise<void> {
    this.loading ??= (async () => {
      this.legacy = await hasLegacyFiles(this.dir, SEGMENTS);
      await this.segments.refresh((line) => this.noteLine(line), this.now());
    })().catch((error: unknown) => {
      this.loading = undefined; // tried again by the next delivery
      throw error;
    });
    return this.loading;
  }
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Days in config to the milliseconds the store keeps. */
export const retentionDays = (days: number): number => days * DAY_MS;
