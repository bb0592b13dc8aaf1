import { readdir, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/*
 * Delivery ids as releases before the segment log kept them: one empty file per delivery at
 * `<dir>/<source>/<hh>/<sha256 hex>`, its mtime the time accepted. Still read after an upgrade, so a sender's retry of a
 * delivery accepted before it is a duplicate, and deleted by age like before until none are left.
 */

/** Whether any legacy source folder is left beside `segmentsName`. */
export async function hasLegacyFiles(dir: string, segmentsName: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.some((name) => name !== segmentsName);
}

/** When the delivery was accepted, by its legacy file; undefined without one. */
export async function legacyAcceptedAt(dir: string, source: string, sha256Hex: string): Promise<number | undefined> {
  try {
    return (await stat(path.join(dir, source, sha256Hex.slice(0, 2), sha256Hex))).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Deletes legacy records older than their source's retention and the folders left empty; returns how many records. */
export async function pruneLegacyFiles(dir: string, segmentsName: string, retentionFor: (source: string) => number, now: number): Promise<number> {
  let removed = 0;
  for (const source of await readdir(dir).catch(() => [] as string[])) {
    if (source === segmentsName) continue;
    const retention = retentionFor(source);
    for (const shard of await readdir(path.join(dir, source)).catch(() => [] as string[])) {
      const shardDir = path.join(dir, source, shard);
      for (const name of await readdir(shardDir).catch(() => [] as string[])) {
        const file = path.join(shardDir, name);
        const info = await stat(file).catch(() => undefined);
        if (info && now - info.mtimeMs >= retention) {
          await unlink(file).catch(() => undefined);
          removed += 1;
        }
      }
      // rmdir refuses a non-empty folder.
      await rmdir(shardDir).catch(() => undefined);
    }
    await rmdir(path.join(dir, source)).catch(() => undefined);
  }
  return removed;
}
