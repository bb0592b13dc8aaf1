import assert from 'node:assert/strict';
import { constants, promises as fs, readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AuditLog, Checkpoint, verifyAuditLog } from '../../audit';
import { appendDurably } from '../../audit/durable-files';
import { readLogLines, tempDir, testKeys } from './fixtures/temp-log';

const actor = { kind: 'system', id: 'firebreak' } as const;
const keys = testKeys();

type Files = { records: FileHandle; checkpoints: FileHandle };
const filesOf = (log: AuditLog): Files => (log as unknown as { files: Files }).files;

/** Counts the writes `fh` is asked for; `fail` makes the next ones reject instead. */
function watchWrites(fh: FileHandle): { count(): number; failNext(times: number): void } {
  const original = fh.write.bind(fh) as (...args: unknown[]) => Promise<unknown>;
  let count = 0;
  let failing = 0;
  (fh as { write: unknown }).write = (...args: unknown[]) => {
    count += 1;
    if (failing > 0) {
      failing -= 1;
      return Promise.reject(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' }));
    }
    return original(...args);
  };
  return { count: () => count, failNext: (times) => (failing = times) };
}

describe('audit log group commit', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('audit-group');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('opens the records and checkpoints files O_APPEND|O_DSYNC, so each write is on disk when it returns', async function () {
    if (process.platform !== 'linux') this.skip(); // reads the open flags from /proc/self/fdinfo, which only Linux has
    const log = await AuditLog.open(dir, { origin: 'test.firebreak/audit', signingKey: keys.signingKey });
    try {
      for (const fh of Object.values(filesOf(log))) {
        const flags = Number.parseInt(/^flags:\s+(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fh.fd}`, 'utf8'))![1]!, 8);
        assert.equal(flags & constants.O_DSYNC, constants.O_DSYNC, 'O_DSYNC');
        assert.equal(flags & constants.O_APPEND, constants.O_APPEND, 'O_APPEND');
      }
    } finally {
      await log.close();
    }
  });

  it('writes a short write’s remainder after it, in order', async () => {
    const path = join(dir, 'short.jsonl');
    const fh = await fs.open(path, 'a');
    const original = fh.write.bind(fh) as (buffer: Buffer, offset: number, length: number) => Promise<{ bytesWritten: number }>;
    // A disk that takes at most 7 bytes per call.
    (fh as { write: unknown }).write = (buffer: Buffer, offset: number, length: number) => original(buffer, offset, Math.min(length, 7));
    await appendDurably(fh, Buffer.from('{"a":"first line"}\n{"b":2}\n'));
    await fh.close();
    assert.equal(await fs.readFile(path, 'utf8'), '{"a":"first line"}\n{"b":2}\n');
  });

  it('appenders that each wait for their last append share one write per round', async () => {
    const log = await AuditLog.open(dir, { origin: 'test.firebreak/audit', signingKey: keys.signingKey, checkpointEvery: 1000 });
    const writes = watchWrites(filesOf(log).records);
    const writers = 8;
    const rounds = 5;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let r = 0; r < rounds; r++) await log.append({ key: `w${w}-r${r}`, actor, action: 'test.appended', data: { w, r } });
      }),
    );
    await log.close();
    // Each round's appenders are released together and all join the next batch.
    assert.equal(writes.count(), rounds);
    assert.equal((await readLogLines(dir)).length, writers * rounds);
    assert.deepEqual((await verifyAuditLog(dir, keys.publicKey)).problems, []);
  });

  it('resolves a batch’s appends before its checkpoint is written, and a failed checkpoint write is retried with the next batch', async () => {
    const delivered: Checkpoint[] = [];
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => void (w.code === 'FIREBREAK_AUDIT_CHECKPOINT' && warnings.push(w.message));
    process.on('warning', onWarning);
    const log = await AuditLog.open(dir, { origin: 'test.firebreak/audit', signingKey: keys.signingKey, checkpointEvery: 3, sink: (cp) => void delivered.push(cp) });
    const checkpointWrites = watchWrites(filesOf(log).checkpoints);
    try {
      checkpointWrites.failNext(1);
      const first = await Promise.all([1, 2, 3, 4].map((i) => log.append({ key: `k-${i}`, actor, action: 'test.appended' })));
      assert.deepEqual(first.map((r) => r.seq), [1, 2, 3, 4], 'the records are on disk whatever becomes of their checkpoint');
      const fifth = await log.append({ key: 'k-5', actor, action: 'test.appended' });
      assert.equal(fifth.seq, 5);
      await log.close();
    } finally {
      process.off('warning', onWarning);
    }
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    assert.equal(warnings.length, 1, 'the failed checkpoint write is reported');
    // The checkpoint due at 3 failed; the next batch wrote one at its first record, and the log verifies.
    assert.deepEqual(delivered.map((cp) => cp.size), [5]);
    const onDisk = (await fs.readFile(join(dir, 'checkpoints.jsonl'), 'utf8')).trim().split('\n');
    assert.deepEqual(onDisk.map((l) => Checkpoint.parse(JSON.parse(l)).size), [5]);
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.deepEqual(result.problems, []);
    assert.equal(result.records, 5);
  });
});
