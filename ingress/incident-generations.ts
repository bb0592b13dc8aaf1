import { mkdir, open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** What the index keeps of one generation of an alert incident: enough to link to it and to judge a re-send. */
export const OpenedGeneration = z.object({
  generation: z.number().int().positive(),
  incidentId: z.string(),
  /** When Firebreak opened it (the opening alert's receivedAt); absent when it was found already open or closed. */
  openedAt: z.string().optional(),
  /** An alert it saw firing (the opening one's occurredAt): a re-send of that episode or an earlier one stays recognisable. */
  occurredAt: z.string().optional(),
});
export type OpenedGeneration = z.infer<typeof OpenedGeneration>;

export interface LatestGeneration {
  generation: number;
  opened?: OpenedGeneration;
}

/**
 * The generations of each alert fingerprint that were ever opened. Temporal forgets a closed incident after the
 * namespace's retention period; this index does not, so a fingerprint's next incident gets a generation past every one
 * ever used and its link names the last of them.
 */
export interface GenerationIndex {
  /**
   * The newest generation ever opened for `baseId` (the fingerprint's first incident id), read afresh, with what was
   * recorded of it (absent when a crash cut its record short: the generation still counts as used).
   */
  latest(baseId: string): Promise<LatestGeneration | undefined>;
  /** Records a generation that exists (or existed) in Temporal; recording one twice is harmless. Durable on return. */
  record(baseId: string, opened: OpenedGeneration): Promise<void>;
}

/** For a process without a data dir (tests of the workflow alone): the index lives as long as the process. */
export class MemoryGenerationIndex implements GenerationIndex {
  private readonly newest = new Map<string, OpenedGeneration>();

  latest(baseId: string): Promise<LatestGeneration | undefined> {
    const opened = this.newest.get(baseId);
    return Promise.resolve(opened && { generation: opened.generation, opened });
  }

  record(baseId: string, opened: OpenedGeneration): Promise<void> {
    if ((this.newest.get(baseId)?.generation ?? 0) < opened.generation) this.newest.set(baseId, opened);
    return Promise.resolve();
  }
}

/** The id of a fingerprint's `generation`-th incident. A letter, not a dash: ids travel as URL path segments the API checks as [A-Za-z0-9]+. */
export function generationId(baseId: string, generation: number): string {
  return generation === 1 ? baseId : `${baseId}r${generation}`;
}

const BASE_ID = /^incident\/([A-Za-z0-9_.-]+)\/([0-9a-f]{32})$/;

/**
 * One directory per fingerprint, one file per generation (`<dir>/<source>/<hh>/<hash>/<n>.json`), created with
 * O_EXCL and synced with its directory before the sender is answered. Files are only ever added, so replicas sharing
 * the data volume never overwrite each other's newer generation with an older one, and the newest is the largest
 * name. Reading one fingerprint is one small directory listing. Generations an upgraded data dir's audit log names
 * come from one file read at start instead (`adopt`, see generation-seed.ts).
 */
export class FileGenerationIndex implements GenerationIndex {
  private seeded: ReadonlyMap<string, number> = new Map();

  constructor(private readonly dir: string) {}

  /** The newest generation per fingerprint from before the index existed; they count as opened, facts unknown. */
  adopt(seeded: ReadonlyMap<string, number>): void {
    this.seeded = seeded;
  }

  private folder(baseId: string): string {
    const match = BASE_ID.exec(baseId);
    if (!match) throw new Error(`not an alert incident id: ${baseId}`);
    const [, source, hash] = match as unknown as [string, string, string];
    return path.join(this.dir, source, hash.slice(0, 2), hash);
  }

  async latest(baseId: string): Promise<LatestGeneration | undefined> {
    const folder = this.folder(baseId);
    const seeded = this.seeded.get(baseId);
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return seeded === undefined ? undefined : { generation: seeded };
      throw error;
    }
    const newest = Math.max(0, ...names.flatMap((name) => (/^\d+\.json$/.test(name) ? [Number.parseInt(name, 10)] : [])));
    if (newest < (seeded ?? 1)) return seeded === undefined ? undefined : { generation: seeded };
    const text = await readFile(path.join(folder, `${newest}.json`), 'utf8');
    let opened: OpenedGeneration | undefined;
    try {
      opened = OpenedGeneration.parse(JSON.parse(text));
    } catch {
      opened = undefined;
    }
    return { generation: newest, ...(opened && { opened }) };
  }

  async record(baseId: string, opened: OpenedGeneration): Promise<void> {
    const folder = this.folder(baseId);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    let file;
    try {
      file = await open(path.join(folder, `${opened.generation}.json`), 'wx', 0o600);
    } catch (error) {
      // Another delivery or replica recorded this generation first: it is the same incident.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
      throw error;
    }
    try {
      await file.writeFile(JSON.stringify(OpenedGeneration.parse(opened)));
      await file.datasync();
    } finally {
      await file.close();
    }
    const dh = await open(folder, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }
}
