import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditError } from './errors';

export interface FileLockOptions {
  /** Give up with `audit.lock_timeout` after this long. */
  timeoutMs?: number;
  /** A lock older than this is stale even if its owner looks alive (it may be hung on a dead disk). */
  staleMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  nonce: string;
  at: number;
}

/**
 * Runs `fn` while holding an exclusive lock file created with the `wx` flag, so processes
 * on the same machine take turns. A lock whose owning process is gone (same host) or that is
 * older than `staleMs` is broken. Throws `audit.lock_timeout` if the lock can't be had.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const nonce = await acquire(lockPath, opts.timeoutMs ?? 10_000, opts.staleMs ?? 30_000);
  try {
    return await fn();
  } finally {
    await release(lockPath, nonce);
  }
}

async function acquire(lockPath: string, timeoutMs: number, staleMs: number): Promise<string> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), nonce: randomBytes(12).toString('hex'), at: Date.now() };
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lockPath, JSON.stringify(owner), { flag: 'wx' });
      return owner.nonce;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    await breakIfStale(lockPath, staleMs);
    if (Date.now() > deadline) throw new AuditError('audit.lock_timeout', 'timed out waiting for the audit lock', { lockPath });
    // Short jittered back-off: holders keep the lock for one append plus fsync (about a millisecond).
    await sleep(Math.min(1 + attempt, 20) * (0.5 + Math.random()));
  }
}

async function breakIfStale(lockPath: string, staleMs: number): Promise<void> {
  const seen = await readOwner(lockPath);
  if (seen === 'missing') return;
  if (seen !== 'unreadable' && !isStale(seen, staleMs)) return;
  if (seen === 'unreadable') {
    // The owner may be between creating the file and writing it; judge by age instead.
    const stat = await fs.stat(lockPath).catch(() => undefined);
    if (!stat || Date.now() - stat.mtimeMs < staleMs) return;
  }
  // Move the stale lock aside rather than unlinking it, then check we moved the one we judged:
  // between our read and the rename another process may have broken it and taken a fresh one.
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readOwner(aside);
  const movedTheStaleOne = seen === 'unreadable' ? true : moved !== 'missing' && moved !== 'unreadable' && moved.nonce === seen.nonce;
  if (!movedTheStaleOne) {
    // Put a live lock back; if someone took the path meanwhile, link fails and both keep going
    // under the newer lock, which is the best available without a lock server.
    await fs.link(aside, lockPath).catch(() => undefined);
  }
  await fs.unlink(aside).catch(() => undefined);
}

function isStale(owner: LockOwner, staleMs: number): boolean {
  if (Date.now() - owner.at > staleMs) return true;
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function readOwner(path: string): Promise<LockOwner | 'missing' | 'unreadable'> {
  try {
    const parsed: unknown = JSON.parse(await fs.readFile(path, 'utf8'));
    const o = parsed as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.nonce === 'string' && typeof o.at === 'number') {
      return o as LockOwner;
    }
    return 'unreadable';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
}

async function release(lockPath: string, nonce: string): Promise<void> {
  // Only remove the lock if it is still ours: if it was broken as stale, it now belongs to someone else.
  const owner = await readOwner(lockPath);
  if (owner !== 'missing' && owner !== 'unreadable' && owner.nonce === nonce) {
    await fs.unlink(lockPath).catch(() => undefined);
  }
}
