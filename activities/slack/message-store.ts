import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A message Firebreak posted: where it is, and a hash of what it last showed (so an unchanged view is not re-sent). */
export interface PostedMessage {
  channel: string;
  ts: string;
  shown?: string;
  /** Anything else the poster needs next time (e.g. the question an input message asked). */
  note?: Record<string, unknown>;
}

/**
 * Remembers, per business key (`<incident>/status`, `<incident>/step/<id>`), the Slack message that stands for it,
 * on disk under the data dir, so a retried or repeated sync edits that message rather than posting another.
 * One file per key, replaced atomically by rename.
 */
export class SlackMessageStore {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    return path.join(this.dir, `${createHash('sha256').update(key).digest('hex')}.json`);
  }

  async get<T = PostedMessage>(key: string): Promise<T | undefined> {
    try {
      return (JSON.parse(await readFile(this.file(key), 'utf8')) as { value: T }).value;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async put<T>(key: string, value: T): Promise<T> {
    await mkdir(this.dir, { recursive: true });
    const target = this.file(key);
    const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, JSON.stringify({ key, value }));
    await rename(temp, target);
    return value;
  }
}
