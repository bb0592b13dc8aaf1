import { createHash } from 'node:crypto';
import { mkdir, readdir, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

const DAY_MS = 24 * 3600_000;
export const DEFAULT_RETENTION_MS = 4 * DAY_MS;

export interface DeliveryDedupeOptions {
  /** Retention per source name: the sender's retry horizon. Sources not listed get {@link DEFAULT_RETENTION_MS}. */
  retentionMs?: Readonly<Record<string, number>>;
  /** How often `remember` starts a background prune (default hourly); 0 disables it. */
  pruneEveryMs?: number;
  /** Told about a failed background prune; the delivery that triggered it is not affected. */
  onPruneError?: (error: unknown) => void;
}

/**
 * Remembers sender delivery ids (webhook-id, X-GitHub-Delivery, ...) for the sender's whole retry horizon, so a retry
 * is answered 200 with no new effect. One file per delivery under `<dir>/<source>/`, its mtime the time accepted:
 * safe across processes on one host, and pruned per source. The incident workflow dedupes the same ids again, so a
 * race between replicas never double-counts an alert.
 */
export class DeliveryDedupe {
  private lastPruneAt = Date.now();
  private pruning?: Promise<number>;
  // Deliveries being recorded right now: a retry arriving meanwhile is a duplicate already.
  private readonly recording = new Map<string, Promise<void>>();

  constructor(
    private readonly dir: string,
    private readonly options: DeliveryDedupeOptions = {},
  ) {}

  retentionFor(source: string): number {
    return this.options.retentionMs?.[source] ?? DEFAULT_RETENTION_MS;
  }

  private file(source: string, deliveryId: string): string {
    const digest = createHash('sha256').update(deliveryId).digest('hex');
    return path.join(this.dir, source, digest.slice(0, 2), digest);
  }

  async seen(source: string, deliveryId: string, now = Date.now()): Promise<boolean> {
    const file = this.file(source, deliveryId);
    if (this.recording.has(file)) return true;
    try {
      const info = await stat(file);
      return now - info.mtimeMs < this.retentionFor(source);
    } catch {
      return false;
    }
  }

  /**
   * `remember` without making the answer wait for the file system: losing the record (a crash meanwhile) costs at most
   * a retry that the incident workflow deduplicates by the same delivery id. A failure goes to `onError`.
   */
  rememberInBackground(source: string, deliveryId: string, onError: (error: unknown) => void): void {
    const file = this.file(source, deliveryId);
    const written = this.remember(source, deliveryId)
      .catch(onError)
      .finally(() => this.recording.delete(file));
    this.recording.set(file, written);
  }

  /** Records a delivery after Temporal accepted it; now and then starts a prune in the background. */
  async remember(source: string, deliveryId: string): Promise<void> {
    const file = this.file(source, deliveryId);
    try {
      await writeFile(file, '', { flag: 'w' });
    } catch (error) {
      // First record in its shard, or a prune removed the empty shard a moment ago.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, '', { flag: 'w' });
    }
    const every = this.options.pruneEveryMs ?? 3600_000;
    if (every > 0 && !this.pruning && Date.now() - this.lastPruneAt >= every) {
      this.lastPruneAt = Date.now();
      this.pruning = this.prune()
        .catch((error: unknown) => {
          this.options.onPruneError?.(error);
          return 0;
        })
        .finally(() => (this.pruning = undefined));
    }
  }

  /** Deletes records older than their source's retention, and shard folders left empty; returns how many records. */
  async prune(now = Date.now()): Promise<number> {
    let removed = 0;
    for (const source of await readdir(this.dir).catch(() => [] as string[])) {
      const retention = this.retentionFor(source);
      for (const shard of await readdir(path.join(this.dir, source)).catch(() => [] as string[])) {
        const shardDir = path.join(this.dir, source, shard);
        const names = await readdir(shardDir).catch(() => [] as string[]);
        let kept = names.length;
        for (const name of names) {
          const file = path.join(shardDir, name);
          const info = await stat(file).catch(() => undefined);
          if (info && now - info.mtimeMs >= retention) {
            await unlink(file).catch(() => undefined);
            removed += 1;
            kept -= 1;
          }
        }
        // rmdir refuses a non-empty folder, so a record written meanwhile keeps its folder.
        if (kept === 0) await rmdir(shardDir).catch(() => undefined);
      }
    }
    return removed;
  }
}

/** Days in config to the milliseconds the store keeps. */
export const retentionDays = (days: number): number => days * DAY_MS;
