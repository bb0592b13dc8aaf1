import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** One remembered delivery as a segment line holds it: `<acceptedAtMs> <source> <digest>\n`. */
export interface SegmentEntry {
  at: number;
  source: string;
  /** A hash of the sender's delivery id: the files hold no sender content. */
  digest: string;
}

export interface DeliverySegmentsOptions {
  /** A process starts a new segment once its current one is this old (default hourly). */
  rotateEveryMs?: number;
}

const SEGMENT = /^(\d{13})-[0-9a-f]{12}\.log$/;

/** What this process has read of a segment another process (or an earlier run of this one) writes. */
interface ReadState {
  offset: number;
  createdAt: number;
}

function parseLines(text: string, onEntry: (entry: SegmentEntry) => void): void {
  for (const line of text.split('\n')) {
    const [at, source, digest] = line.split(' ');
    const when = Number(at);
    if (source && digest && Number.isFinite(when)) onEntry({ at: when, source, digest });
  }
}

/**
 * Append-only segment files in one folder, each written by one process and read by every process sharing the folder
 * (the shared data volume). A process appends only to its own segment, in batches (one write for every entry queued
 * meanwhile), and starts a new one every `rotateEveryMs`, so a segment is complete once it is that old and whole
 * segments are deleted by age instead of entries one by one. Readers re-open a segment that may still grow at each
 * look (close-to-open consistency on NFS) and read only what was appended since their last look.
 */
export class DeliverySegments {
  private readonly rotateEveryMs: number;
  private own?: { name: string; handle: FileHandle; createdAt: number };
  private readonly read = new Map<string, ReadState>();
  private ready = false;

  constructor(
    private readonly dir: string,
    options: DeliverySegmentsOptions = {},
  ) {
    this.rotateEveryMs = options.rotateEveryMs ?? 3600_000;
  }

  /**
   * Hands `onEntry` every entry other processes (and earlier runs of this one) appended since the last call: whole
   * segments new to this process, and the tails of those that may still grow.
   */
  async refresh(onEntry: (entry: SegmentEntry) => void, now: number): Promise<void> {
    if (!this.ready) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.ready = true;
    }
    for (const name of await readdir(this.dir)) {
      const match = SEGMENT.exec(name);
      if (!match || name === this.own?.name) continue;
      let state = this.read.get(name);
      if (!state) {
        state = { offset: 0, createdAt: Number(match[1]) };
        this.read.set(name, state);
      } else if (now - state.createdAt > 2 * this.rotateEveryMs) {
        continue; // complete: its writer moved on to a newer segment (twice the period allows for clock skew)
      }
      await this.readTail(name, state, onEntry);
    }
  }

  private async readTail(name: string, state: ReadState, onEntry: (entry: SegmentEntry) => void): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(path.join(this.dir, name), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // pruned meanwhile
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size <= state.offset) return;
      const buffer = Buffer.alloc(size - state.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, state.offset);
      // Only whole lines: the writer may be half-way through its batch.
      const end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
      if (end === 0) return;
      parseLines(buffer.toString('utf8', 0, end), onEntry);
      state.offset += end;
    } finally {
      await handle.close();
    }
  }

  /** Appends `entries` to this process's segment in one write. Not durable against a power loss (no fsync). */
  async append(entries: readonly SegmentEntry[], now: number): Promise<void> {
    if (entries.length === 0) return;
    const own = await this.segment(now);
    await own.handle.appendFile(entries.map((e) => `${e.at} ${e.source} ${e.digest}\n`).join(''));
  }

  private async segment(now: number): Promise<{ name: string; handle: FileHandle; createdAt: number }> {
    if (this.own && now - this.own.createdAt < this.rotateEveryMs) return this.own;
    const previous = this.own;
    this.own = undefined;
    await previous?.handle.close();
    if (!this.ready) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.ready = true;
    }
    const name = `${String(now).padStart(13, '0')}-${randomBytes(6).toString('hex')}.log`;
    // `ax`: a name is never shared, and O_APPEND keeps every write at the end.
    this.own = { name, handle: await open(path.join(this.dir, name), 'ax', 0o600), createdAt: now };
    return this.own;
  }

  /** Deletes every segment whose entries are all older than `olderThanMs` (the longest retention); returns how many. */
  async prune(olderThanMs: number, now: number): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const match = SEGMENT.exec(name);
      // Its last entry was appended before createdAt + rotateEveryMs; twice the period allows for clock skew.
      if (!match || name === this.own?.name || now - Number(match[1]) - 2 * this.rotateEveryMs < olderThanMs) continue;
      await unlink(path.join(this.dir, name)).catch(() => undefined);
      this.read.delete(name);
      removed += 1;
    }
    return removed;
  }

  async close(): Promise<void> {
    const own = this.own;
    this.own = undefined;
    await own?.handle.close();
  }
}
