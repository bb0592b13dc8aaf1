import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { EvidenceError } from './errors';
import { writeOnce } from './object-files';
import { CustodyEvent } from './schema';

/**
 * Each item's custody trail is its own append-only JSONL file. The `collected` event creates
 * the file exclusively, so a retried capture can never record collection twice.
 */
export class CustodyTrail {
  constructor(private readonly dir: string) {}

  private pathOf(evidenceId: string): string {
    return join(this.dir, 'custody', `${evidenceId}.jsonl`);
  }

  /** Starts the trail with `collected`; resolves `false` (writing nothing) if it already exists. */
  start(event: CustodyEvent): Promise<boolean> {
    return writeOnce(this.pathOf(event.evidenceId), `${JSON.stringify(event)}\n`, 0o600);
  }

  /** Appends one event and fsyncs; small single-line appends with O_APPEND don't interleave. */
  async append(event: CustodyEvent): Promise<void> {
    const fh = await fs.open(this.pathOf(event.evidenceId), 'a', 0o600);
    try {
      await fh.appendFile(`${JSON.stringify(event)}\n`, 'utf8');
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }

  /** The whole trail, oldest first; empty if none was written. Throws `evidence.corrupt_record` on an unreadable line. */
  async read(evidenceId: string): Promise<CustodyEvent[]> {
    let text: string;
    try {
      text = await fs.readFile(this.pathOf(evidenceId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line, index) => {
        const parsed = CustodyEvent.safeParse(safeJson(line));
        if (!parsed.success) throw new EvidenceError('evidence.corrupt_record', 'unreadable custody event', { evidenceId, index });
        return parsed.data;
      });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
