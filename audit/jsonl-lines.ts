import { createReadStream } from 'node:fs';

/** One newline-terminated line of a JSONL file and where it starts. */
export interface FileLine {
  /** Byte offset of the line's first byte. */
  offset: number;
  /** The line without its trailing newline, decoded as UTF-8. */
  text: string;
  /** Byte offset just past the line's newline: where the next line starts. */
  end: number;
}

export interface ReadLinesOptions {
  start?: number;
  end?: number;
  onTail?: (offset: number, bytes: number) => void;
  /** Bytes per read (default 64 KiB): larger for a whole-file scan, small for a caller that wants one line. */
  chunkBytes?: number;
}

/**
 * Streams complete lines of a file from byte `start` (inclusive) to `end` (exclusive), keeping
 * memory bounded by the longest line. A final fragment without a newline is not yielded: it is
 * a write torn by a crash, or a record still being written; `onTail` learns its offset.
 * A missing file yields nothing.
 */
export async function* readLines(path: string, opts: ReadLinesOptions = {}): AsyncGenerator<FileLine> {
  for await (const batch of readLineBatches(path, opts)) yield* batch;
}

/**
 * `readLines` a chunk at a time: every complete line of each read, in order, as one array, so a caller
 * going through millions of lines awaits once per megabyte instead of once per line.
 */
export async function* readLineBatches(path: string, opts: ReadLinesOptions = {}): AsyncGenerator<FileLine[]> {
  const start = opts.start ?? 0;
  if (opts.end !== undefined && opts.end <= start) return;
  const stream = createReadStream(path, { start, end: opts.end === undefined ? undefined : opts.end - 1, highWaterMark: opts.chunkBytes ?? 64 * 1024 });
  let pending: Buffer[] = [];
  let pendingStart = start;
  let position = start;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const batch: FileLine[] = [];
      let from = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
        const text = pending.length === 0 ? chunk.toString('utf8', from, nl) : Buffer.concat([...pending, chunk.subarray(from, nl)]).toString('utf8');
        batch.push({ offset: pendingStart, text, end: position + nl + 1 });
        pending = [];
        pendingStart = position + nl + 1;
        from = nl + 1;
      }
      if (from < chunk.length) pending.push(chunk.subarray(from));
      position += chunk.length;
      if (batch.length > 0) yield batch;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  } finally {
    stream.destroy();
  }
  const tailBytes = position - pendingStart;
  if (tailBytes > 0) opts.onTail?.(pendingStart, tailBytes);
}
