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

/**
 * Streams complete lines of a file from byte `start` (inclusive) to `end` (exclusive), keeping
 * memory bounded by the longest line. A final fragment without a newline is not yielded: it is
 * a write torn by a crash, or a record still being written; `onTail` learns its offset.
 * A missing file yields nothing.
 */
export async function* readLines(
  path: string,
  opts: { start?: number; end?: number; onTail?: (offset: number, bytes: number) => void } = {},
): AsyncGenerator<FileLine> {
  const start = opts.start ?? 0;
  if (opts.end !== undefined && opts.end <= start) return;
  const stream = createReadStream(path, { start, end: opts.end === undefined ? undefined : opts.end - 1 });
  let pending: Buffer[] = [];
  let pendingStart = start;
  let position = start;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
        pending.push(chunk.subarray(from, nl));
        yield { offset: pendingStart, text: Buffer.concat(pending).toString('utf8'), end: position + nl + 1 };
        pending = [];
        pendingStart = position + nl + 1;
        from = nl + 1;
      }
      if (from < chunk.length) pending.push(chunk.subarray(from));
      position += chunk.length;
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
