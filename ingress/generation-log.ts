import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { FileGenerationIndex, type GenerationIndex, type LatestGeneration, OpenedGeneration } from './incident-generations';
import { BatchedAppender, SegmentLog, SharedLook } from './segment-log';

/** Beside the legacy per-fingerprint folders (source names are `[a-z0-9-]`) and the seed file. */
const SEGMENTS = '_segments';
const LEGACY_SOURCE = /^[a-z0-9][a-z0-9-]{0,62}$/;

const GenerationLine = OpenedGeneration.extend({ baseId: z.string() });

export interface GenerationLogOptions {
  /** Milliseconds since the epoch (default `Date.now`): names and rotates segments. */
  now?: () => number;
}

/**
 * The generations index as append-only segment files under `<dir>/_segments/` (see segment-log.ts), read whole at
 * first use and kept in memory. A record is one line in this process's own segment, written with every record queued
 * meanwhile in one write and one fdatasync, and durable before `record` resolves: concurrent openings share the sync
 * instead of creating, syncing and directory-syncing a file each. `latest` first reads what other processes appended
 * (one look, at most 50 ms old, shared by the calls arriving meanwhile), so a generation another replica recorded
 * before that is never missed. Per-generation files of earlier releases and the seed from the audit log still count.
 */
export class GenerationLog implements GenerationIndex {
  private readonly newest = new Map<string, OpenedGeneration>();
  private readonly segments: SegmentLog;
  private readonly look: SharedLook;
  private readonly appender: BatchedAppender;
  private readonly now: () => number;
  private loading?: Promise<void>;
  private seeded: ReadonlyMap<string, number> = new Map();
  /** Per-generation files of releases before the log: read while any exist (they are never deleted). */
  private legacy?: FileGenerationIndex;

  constructor(
    private readonly dir: string,
    options: GenerationLogOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    // A day per segment: a segment is re-read only while its writer may still append, and files stay few.
    this.segments = new SegmentLog(path.join(dir, SEGMENTS), { rotateEveryMs: 24 * 3600_000, durable: true });
    // A look up to 50 ms old serves: what the index adds to Temporal is the generations Temporal has forgotten, which
    // were recorded at least the retention period ago; one opened moments ago by another replica is still running
    // there, and the start refuses or joins it.
    this.look = new SharedLook(() => this.segments.refresh((line) => this.noteLine(line), this.now()), 50);
    this.appender = new BatchedAppender((lines) => this.segments.append(lines, this.now()));
  }

  /** The newest generation per fingerprint from before the index existed; they count as opened, facts unknown. */
  adopt(seeded: ReadonlyMap<string, number>): void {
    this.seeded = seeded;
    this.legacy?.adopt(seeded);
  }

  /** Reads every segment (the first `latest` does otherwise). */
  load(): Promise<void> {
    this.loading ??= (async () => {
      const names = await readdir(this.dir).catch(() => [] as string[]);
      if (names.some((name) => LEGACY_SOURCE.test(name))) {
        this.legacy = new FileGenerationIndex(this.dir);
        this.legacy.adopt(this.seeded);
      }
      await this.segments.refresh((line) => this.noteLine(line), this.now());
    })().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  async latest(baseId: string): Promise<LatestGeneration | undefined> {
    await this.load();
    await this.look.again();
    const logged = this.newest.get(baseId);
    const older = this.legacy ? await this.legacy.latest(baseId) : this.seededLatest(baseId);
    if (logged && logged.generation >= (older?.generation ?? 0)) return { generation: logged.generation, opened: logged };
    return older;
  }

  async record(baseId: string, opened: OpenedGeneration): Promise<void> {
    const parsed = OpenedGeneration.parse(opened);
    await this.load();
    await this.appender.add(JSON.stringify({ baseId, ...parsed }));
    // Only once durable: a delivery in this process must not answer on a generation a crash could still lose.
    this.note(baseId, parsed);
  }

  async close(): Promise<void> {
    await this.appender.flush().catch(() => undefined);
    await this.segments.close();
  }

  private seededLatest(baseId: string): LatestGeneration | undefined {
    const generation = this.seeded.get(baseId);
    return generation === undefined ? undefined : { generation };
  }

  private noteLine(line: string): void {
    let parsed;
    try {
      parsed = GenerationLine.safeParse(JSON.parse(line));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const { baseId, ...opened } = parsed.data;
    this.note(baseId, opened);
  }

  private note(baseId: string, opened: OpenedGeneration): void {
    if ((this.newest.get(baseId)?.generation ?? 0) < opened.generation) this.newest.set(baseId, opened);
  }
}
