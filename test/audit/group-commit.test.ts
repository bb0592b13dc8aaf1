import assert from 'node:assert/strict';
import { constants, promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog, Checkpoint, verifyAuditLog } from '../../audit';
import { AppendFile } from '../../audit/durable-files';
import { readLogLines, tempDir, testKeys } from './fixtures/temp-log';

const actor = { kind: 'system', id: 'firebreak' } as const;
const keys = testKeys();

type Files = { records: AppendFile; checkpoints: AppendFile };
const filesOf = (log: AuditLog): Files => (log as unknown as { files: Files }).files;

/** Counts the writes `file` is asked for, noting when each starts and ends in `events` under `name`; `failNext` makes the next ones fail. */
function watchWrites(file: AppendFile, name = '', events: string[] = []): { count(): number; failNext(times: number): void } {
  const original = file.writeSome.bind(file);
  let count = 0;
  let failing = 0;
  file.writeSome = async (...args) => {
    count += 1;
    if (failing > 0) {
      failing -= 1;
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    }
    events.push(`${name} start`);
    try {
      return await original(...args);
    } finally {
      events.push(`${name} end`);
    }
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

  it('writes a short write’s remainder after it, in order, and fails a write that makes no progress', async () => {
    const path = join(dir, 'short.jsonl');
    const file = await AppendFile.open(path);
    const original = file.writeSome.bind(file);
    // A disk that takes at most 7 bytes per call.
    file.writeSome = (bytes, offset, length) => original(bytes, offset, Math.min(length, 7));
    await file.append(Buffer.from('{"a":"first line"}\n{"b":2}\n'));
    assert.equal(await fs.readFile(path, 'utf8'), '{"a":"first line"}\n{"b":2}\n');
    // One that takes nothing at all fails the append instead of asking forever.
    file.writeSome = () => Promise.resolve(0);
    await assert.rejects(file.append(Buffer.from('{"c":3}\n')), { code: 'EIO' });
    await file.close();
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

  it('resolves a batch’s appends before its checkpoint is written, and a failed checkpoint write is made good by a later batch', async () => {
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
      // The checkpoint due at 3 is written beside this batch's record, and fails.
      assert.equal((await log.append({ key: 'k-5', actor, action: 'test.appended' })).seq, 5);
      assert.equal((await log.append({ key: 'k-6', actor, action: 'test.appended' })).seq, 6);
      await log.close();
    } finally {
      process.off('warning', onWarning);
    }
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    assert.equal(warnings.length, 1, 'the failed checkpoint write is reported');
    assert.equal(checkpointWrites.count(), 2);
    // No checkpoint covered the log once the one at 3 failed, so the next batch after it made one due and wrote it.
    const onDisk = (await fs.readFile(join(dir, 'checkpoints.jsonl'), 'utf8')).trim().split('\n');
    assert.deepEqual(onDisk.map((l) => Checkpoint.parse(JSON.parse(l)).size), [6]);
    assert.deepEqual(delivered.map((cp) => cp.size), [6]);
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.deepEqual(result.problems, []);
    assert.equal(result.records, 6);
  });

  it('writes a batch’s due checkpoint beside the next batch’s records when that batch is already waiting', async () => {
    const delivered: Checkpoint[] = [];
    const log = await AuditLog.open(dir, { origin: 'test.firebreak/audit', signingKey: keys.signingKey, checkpointEvery: 4, sink: (cp) => void delivered.push(cp) });
    const events: string[] = [];
    const records = watchWrites(filesOf(log).records, 'records', events);
    const checkpoints = watchWrites(filesOf(log).checkpoints, 'checkpoint', events);
    // Four appenders that each wait for their last append: every round is one batch of 4 and makes a checkpoint due.
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let r = 0; r < 3; r++) await log.append({ key: `w${w}-r${r}`, actor, action: 'test.appended' });
      }),
    );
    await log.close();
    assert.equal(records.count(), 3, 'one write per round');
    assert.equal(checkpoints.count(), 3);
    // Rounds 2 and 3 carry the checkpoints of rounds 1 and 2 with them: each checkpoint write starts while that
    // round's records write is under way. The last one, with nothing waiting, goes alone.
    const roundStarts = events.flatMap((e, i) => (e === 'records start' ? [i] : []));
    for (const round of [1, 2]) {
      const during = events.slice(roundStarts[round], events.indexOf('records end', roundStarts[round]));
      assert.ok(during.includes('checkpoint start'), `round ${round + 1}'s records write had a checkpoint write beside it: ${events.join(', ')}`);
    }
    assert.deepEqual(events.slice(-2), ['checkpoint start', 'checkpoint end']);
    assert.deepEqual(delivered.map((cp) => cp.size), [4, 8, 12]);
    assert.deepEqual((await verifyAuditLog(dir, keys.publicKey)).problems, []);
  });
});
