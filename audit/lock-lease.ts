import { statSync, unlinkSync } from 'node:fs';
import { acquireFileLock, type FileLockOptions, releaseFileLock } from './file-lock';

export interface LockLeaseOptions extends FileLockOptions {
  /** Keep the lock this long after the last use, for the next append (default 10 ms; 0 releases after every use). */
  idleMs?: number;
  /** Never hold one lock file longer than this, so it never looks stale and other processes get a turn (default 1 s). */
  maxHoldMs?: number;
}

/** Locks held by this process, removed on the way out so a hasty `process.exit` leaves no lock to wait for. */
const heldHere = new Map<string, number>();
let exitHookInstalled = false;

function removeHeldLocksSync(): void {
  for (const [lockPath, ino] of heldHere) {
    try {
      if (statSync(lockPath).ino === ino) unlinkSync(lockPath);
    } catch {
      // gone already
    }
  }
}

/**
 * The audit lock file, kept between appends that follow each other closely. Taking and dropping the lock for every
 * append cost a create, a stat, an unlink and a catch-up read of the file sizes around each fdatasync, and the lock
 * file's directory updates rode along in every journal commit: one sequential writer then reached under half the
 * rate of plain appends. Holding it while appends keep coming leaves one write and one fdatasync per append, and
 * lets the holder skip the catch-up (nobody else can have appended). Callers use it one at a time (the log's queue).
 */
export class LockLease {
  private ino: number | undefined;
  private since = 0;
  private inUse = false;
  private lastUse = 0;
  // One timer for a run of uses, re-armed when it finds the lock used meanwhile: arming and clearing a timer around
  // every append cost more than the check.
  private idleTimer: NodeJS.Timeout | undefined;
  private releasing: Promise<void> = Promise.resolve();

  constructor(
    private readonly lockPath: string,
    private readonly opts: LockLeaseOptions = {},
  ) {}

  /**
   * Keeps holding the lock for one more use without any I/O, when it is held and not yet due to be handed on: the
   * common case for appends that follow each other closely. False: call `take`.
   */
  renew(): boolean {
    if (this.ino === undefined || Date.now() - this.since >= (this.opts.maxHoldMs ?? 1000)) return false;
    this.inUse = true;
    return true;
  }

  /** Holds the lock; true when it was just taken, so whatever others appended meanwhile must be read first. */
  async take(): Promise<boolean> {
    this.inUse = true;
    await this.releasing;
    if (this.ino !== undefined && Date.now() - this.since < (this.opts.maxHoldMs ?? 1000)) return false;
    if (this.ino !== undefined) {
      await this.release();
      // A turn for a process waiting in its back-off (it retries within 20 ms).
      await new Promise((r) => setTimeout(r, 20));
    }
    this.ino = await acquireFileLock(this.lockPath, this.opts);
    this.since = Date.now();
    heldHere.set(this.lockPath, this.ino);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', removeHeldLocksSync);
    }
    return true;
  }

  /** Done for now: keep the lock for `idleMs` in case another use follows, or drop it at once after a failure. */
  done(failed: boolean): Promise<void> | undefined {
    this.inUse = false;
    const idleMs = this.opts.idleMs ?? 10;
    if (failed || idleMs <= 0) return this.release();
    this.lastUse = Date.now();
    this.idleTimer ??= setTimeout(this.onIdle, idleMs);
    return undefined;
  }

  private readonly onIdle = (): void => {
    this.idleTimer = undefined;
    // In use again: its `done` arms the timer anew.
    if (this.inUse || this.ino === undefined) return;
    const idleFor = Date.now() - this.lastUse;
    const idleMs = this.opts.idleMs ?? 10;
    if (idleFor < idleMs) this.idleTimer = setTimeout(this.onIdle, idleMs - idleFor);
    else this.releasing = this.release();
  };

  async release(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const ino = this.ino;
    if (ino === undefined) return;
    this.ino = undefined;
    heldHere.delete(this.lockPath);
    await releaseFileLock(this.lockPath, ino);
  }
}
