import { createHash } from 'node:crypto';
import { mkdir, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Remembers sender delivery ids (webhook-id, X-GitHub-Delivery, ...) for the sender's whole retry horizon, so a retry
 * is answered 200 with no new effect. One file per delivery, created exclusively: safe across processes on one host.
 * The incident workflow dedupes the same ids again, so a race between replicas never double-counts an alert.
 */
export class DeliveryDedupe {
  constructor(
    private readonly dir: string,
    private readonly retentionMs: number = 4 * 24 * 3600_000,
  ) {}

  private file(source: string, deliveryId: string): string {
    const digest = createHash('sha256').update(`${source}\0${deliveryId}`).digest('hex');
    return path.join(this.dir, digest.slice(0, 2), digest);
  }

  async seen(source: string, deliveryId: string): Promise<boolean> {
    try {
      const info = await stat(this.file(source, deliveryId));
      return Date.now() - info.mtimeMs < this.retentionMs;
    } catch {
      return false;
    }
  }

  /** Records a delivery after Temporal accepted it. */
  async remember(source: string, deliveryId: string): Promise<void> {
    const file = this.file(source, deliveryId);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '', { flag: 'w' });
  }

  /** Deletes records older than the retention; returns how many. */
  async prune(now = Date.now()): Promise<number> {
    let removed = 0;
    for (const shard of await readdir(this.dir).catch(() => [] as string[])) {
      for (const name of await readdir(path.join(this.dir, shard)).catch(() => [] as string[])) {
        const file = path.join(this.dir, shard, name);
        const info = await stat(file).catch(() => undefined);
        if (info && now - info.mtimeMs >= this.retentionMs) {
          await unlink(file).catch(() => undefined);
          removed += 1;
        }
      }
    }
    return removed;
  }
}
