import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readLineBatches, readLines } from '../../audit/jsonl-lines';
import { tempDir } from './fixtures/temp-log';

describe('reading JSONL lines a chunk at a time', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('jsonl-lines');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('yields every line with its byte offsets when lines straddle reads, multi-byte characters included, and reports a torn tail', async () => {
    // Lines of 1 to 40 bytes, some with a 3-byte character, read 7 bytes at a time: most lines span several reads.
    const lines = Array.from({ length: 200 }, (_, i) => `${'€'.repeat(i % 3)}${'x'.repeat(i % 37)}${i}`);
    const path = join(dir, 'lines.jsonl');
    await fs.writeFile(path, `${lines.join('\n')}\n{"torn`);
    let tail: [number, number] | undefined;
    const batches: { offset: number; text: string; end: number }[][] = [];
    for await (const batch of readLineBatches(path, { chunkBytes: 7, onTail: (offset, bytes) => (tail = [offset, bytes]) })) batches.push(batch);
    const read = batches.flat();
    assert.deepEqual(read.map((l) => l.text), lines);
    let offset = 0;
    for (const line of read) {
      assert.equal(line.offset, offset);
      offset += Buffer.byteLength(line.text) + 1;
      assert.equal(line.end, offset);
    }
    assert.deepEqual(tail, [offset, Buffer.byteLength('{"torn')]);
    assert.ok(batches.length < read.length, 'short lines share a read, so batches are fewer than lines');
    const fromMiddle = [];
    for await (const line of readLines(path, { start: read[100]!.offset, end: read[102]!.end })) fromMiddle.push(line.text);
    assert.deepEqual(fromMiddle, lines.slice(100, 103));
  });
});
