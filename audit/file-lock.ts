import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditError } from './errors';

export interface FileLockOptions {
  /** Give up with `audit.lock_timeout` after this long (default 30 s). */
  timeoutMs?: number;
  /** A lock older than this is stale: its holder died (default 10 s; a holder re-creates it at least every second). */
  staleMs?: number;
}

/**
 * Takes an exclusive lock file created with the `wx` flag, so processes on the same machine take
 * turns, and returns its inode (what `releaseFileLock` needs). A lock older than `staleMs` is
 * broken. Throws `audit.lock_timeout` if the lock can't be had.
 *
 * The lock file is deliberately empty and identified by its inode: on ext4 (data=ordered) a
 * lock file holding data makes the appender's fdatasync also flush that data, which cost
 * about 10x per append when measured. Without a pid, staleness is judged by age alone.
 */
export function acquireFileLock(lockPath: string, opts: FileLockOptions = {}): Promise<number> {
  return acquire(lockPath, opts.timeoutMs ?? 30_000, opts.staleMs ?? 10_000);
}

async function acquire(lockPath: string, timeoutMs: number, staleMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await fs.open(lockPath, 'wx', 0o600);
      try {
        return (await fh.stat()).ino;
      } finally {
        await fh.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    await breakIfStale(lockPath, staleMs);
    if (Date.now() > deadline) throw new AuditError('audit.lock_timeout', 'timed out waiting for the audit lock', { lockPath });
    // Short jittered back-off: holders keep the lock for one append plus fdatasync.
    await sleep(Math.min(1 + attempt, 20) * (0.5 + Math.random()));
  }
}

async function breakIfStale(lockPath: string, staleMs: number): Promise<void> {
  const seen = await fs.stat(lockPath).catch(() => undefined);
  if (!seen || Date.now() - seen.mtimeMs < staleMs) return;
  // Move the stale lock aside rather than unlinking it, then check we moved the one we judged:
  // between our stat and the rename another process may have broken it and taken a fresh one.
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await fs.stat(aside).catch(() => undefined);
  if (moved && moved.ino !== seen.ino) {
    // We moved a live lock: put it back. If someone took the path meanwhile, link fails and
    // both run under the newer lock, the best available without a lock server.
    await fs.link(aside, lockPath).catch(() => undefined);
  }
  await fs.unlink(aside).catch(() => undefined);
}

/** Removes the lock if it is still ours: if it was broken as stale, it now belongs to someone else. */
export async function releaseFileLock(lockPath: string, ino: number): Promise<void> {
  const current = await fs.stat(lockPath).catch(() => undefined);
  if (current?.ino === ino) await fs.unlink(lockPath).catch(() => undefined);
}
