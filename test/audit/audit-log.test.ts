import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { AuditLog, Checkpoint, GENESIS_HASH, readAuditRecords, verifyAuditLog } from '../../audit';
import type { AppendFile } from '../../audit/durable-files';
import { readLogLines, tempDir, testKeys } from './fixtures/temp-log';

const actor = { kind: 'person', id: 'U123' } as const;
const keys = testKeys();

async function openLog(dir: string, extra: Partial<Parameters<typeof AuditLog.open>[1]> = {}) {
  return AuditLog.open(dir, { origin: 'test.firebreak/audit', signingKey: keys.signingKey, ...extra });
}

/** Counts writes to the records file (each synced: it is opened O_DSYNC), the cost group commit shares between concurrent appends. */
function countWrites(log: AuditLog): () => number {
  const records = (log as unknown as { files: { records: AppendFile } }).files.records;
  const original = records.writeSome.bind(records);
  let count = 0;
  records.writeSome = (...args) => {
    count += 1;
    return original(...args);
  };
  return () => count;
}

describe('audit log', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('audit');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('chains records from the genesis hash with increasing sequence numbers', async () => {
    const log = await openLog(dir);
    const first = await log.append({ key: 'a', actor, action: 'alert.accepted', incidentId: 'inc-1', data: { source: 'grafana' } });
    const second = await log.append({ key: 'b', actor, action: 'approval.granted', incidentId: 'inc-1' });
    await log.close();
    assert.equal(first.seq, 1);
    assert.equal(first.prev, GENESIS_HASH);
    assert.equal(second.seq, 2);
    assert.equal(second.prev, first.hash);
    assert.deepEqual(second.data, {});
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.deepEqual(result.problems, []);
    assert.equal(result.ok, true);
    assert.equal(result.records, 2);
  });

  it('writes a record once when the same key is appended again, also after reopening', async () => {
    const log = await openLog(dir);
    const stored = await log.append({ key: 'inc-1/notify/regulator', actor, action: 'notice.sent', data: { to: 'sa' } });
    const again = await log.append({ key: 'inc-1/notify/regulator', actor, action: 'notice.sent', data: { to: 'sa' } });
    await log.close();
    assert.deepEqual(again, stored);

    // A retried activity in a fresh worker process opens the log anew.
    const reopened = await openLog(dir);
    const retried = await reopened.append({ key: 'inc-1/notify/regulator', actor, action: 'notice.sent', data: { to: 'sa' } });
    await reopened.close();
    assert.deepEqual(retried, stored);
    assert.equal((await readLogLines(dir)).length, 1);
  });

  it('serialises concurrent appends in one process into one valid chain', async () => {
    const log = await openLog(dir, { checkpointEvery: 7 });
    const records = await Promise.all(
      Array.from({ length: 60 }, (_, i) => log.append({ key: `k-${i % 50}`, actor, action: 'test.appended', data: { i } })),
    );
    await log.close();
    assert.equal(new Set(records.map((r) => r.seq)).size, 50);
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.deepEqual(result.problems, []);
    assert.equal(result.records, 50);
  });

  it('commits concurrent appends together yet checkpoints at exactly every N records, and refuses only the oversized one', async () => {
    const delivered: Checkpoint[] = [];
    const log = await openLog(dir, { checkpointEvery: 10, maxRecordBytes: 1024, sink: (cp) => void delivered.push(cp) });
    const writes = countWrites(log);
    const appends = Array.from({ length: 35 }, (_, i) =>
      log.append({ key: `k-${i}`, actor, action: 'test.appended', data: { pad: i === 17 ? 'x'.repeat(2000) : '' } }).then(
        (record) => record.seq,
        (err: { code?: string }) => err.code,
      ),
    );
    const outcomes = await Promise.all(appends);
    await log.close();
    assert.equal(outcomes[17], 'audit.record_too_large');
    assert.deepEqual(outcomes.filter((o) => typeof o === 'number').sort((a, b) => Number(a) - Number(b)), Array.from({ length: 34 }, (_, i) => i + 1));
    assert.deepEqual(delivered.map((cp) => cp.size), [10, 20, 30]);
    // All 35 were called in one turn of the event loop: one durable write holds the 34 records, checkpoints and all.
    assert.equal(writes(), 1, `expected one group commit, saw ${writes()} record writes for 34 records`);
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.deepEqual(result.problems, []);
    assert.equal(result.records, 34);
  });

  it('checkpoints every N records, after the interval, and on demand, handing each to the sink', async () => {
    let clock = Date.parse('2025-03-01T10:00:00Z');
    const delivered: Checkpoint[] = [];
    const log = await openLog(dir, {
      checkpointEvery: 4,
      checkpointIntervalMs: 60_000,
      now: () => new Date(clock),
      sink: (cp) => void delivered.push(cp),
    });
    for (let i = 1; i <= 5; i++) await log.append({ key: `k-${i}`, actor, action: 'test.appended' });
    clock += 61_000;
    await log.append({ key: 'k-6', actor, action: 'test.appended' });
    await log.append({ key: 'k-7', actor, action: 'test.appended' });
    const closing = await log.checkpoint();
    const repeated = await log.checkpoint();
    await log.close();
    // After 4 records, then after the interval (only 2 more records), then on demand (repeated: delivered again, not rewritten).
    assert.deepEqual(delivered.map((cp) => cp.size), [4, 6, 7, 7]);
    assert.equal(closing.size, 7);
    assert.deepEqual(repeated, closing);
    assert.match(closing.note, /^test\.firebreak\/audit\n7\n[A-Za-z0-9+/]{43}=\n\n\u2014 test\.firebreak\/audit [A-Za-z0-9+/=]+\n$/);
    const onDisk = (await fs.readFile(join(dir, 'checkpoints.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(onDisk.length, 3);
  });

  it('reports a failing sink without failing the append', async () => {
    const failures: unknown[] = [];
    const log = await openLog(dir, { checkpointEvery: 1, sink: () => Promise.reject(new Error('smtp down')), onSinkError: (err) => failures.push(err) });
    const record = await log.append({ key: 'a', actor, action: 'test.appended' });
    await log.close();
    assert.equal(record.seq, 1);
    assert.equal(failures.length, 1);
  });

  it('refuses invalid entries with audit.invalid_entry and oversized ones with audit.record_too_large', async () => {
    const log = await openLog(dir, { maxRecordBytes: 1024 });
    await assert.rejects(log.append({ key: 'a', actor, action: 'NotDotted' }), { code: 'audit.invalid_entry' });
    await assert.rejects(log.append({ key: 'b', actor, action: 'test.big', data: { blob: 'x'.repeat(2000) } }), { code: 'audit.record_too_large' });
    await log.close();
    assert.equal((await readLogLines(dir)).length, 0);
  });

  it('without a signing key appends records but refuses checkpoint() with audit.no_signing_key', async () => {
    const log = await AuditLog.open(dir, { origin: 'test.firebreak/audit' });
    await log.append({ key: 'a', actor, action: 'test.appended' });
    await assert.rejects(log.checkpoint(), { code: 'audit.no_signing_key' });
    await log.close();
  });

  it('cuts off a write torn by a crash before appending, keeping the chain valid', async () => {
    const log = await openLog(dir);
    await log.append({ key: 'a', actor, action: 'test.appended' });
    await log.close();
    await fs.appendFile(join(dir, 'audit.jsonl'), '{"seq":2,"at":"2025-');
    const reopened = await openLog(dir);
    const next = await reopened.append({ key: 'b', actor, action: 'test.appended' });
    await reopened.close();
    assert.equal(next.seq, 2);
    assert.deepEqual((await verifyAuditLog(dir, keys.publicKey)).problems, []);
  });

  it('refuses to append after damage with audit.log_corrupt', async () => {
    const log = await openLog(dir);
    await log.append({ key: 'a', actor, action: 'test.appended' });
    await log.close();
    await fs.appendFile(join(dir, 'audit.jsonl'), 'not json\n');
    await assert.rejects(openLog(dir), { code: 'audit.log_corrupt' });
  });

  it('reads back one incident’s records in order', async () => {
    const log = await openLog(dir);
    await log.append({ key: 'a', actor, action: 'alert.accepted', incidentId: 'inc-1' });
    await log.append({ key: 'b', actor, action: 'alert.accepted', incidentId: 'inc-2' });
    await log.append({ key: 'c', actor, action: 'incident.closed', incidentId: 'inc-1' });
    await log.close();
    const seen: string[] = [];
    for await (const r of readAuditRecords(dir, { incidentId: 'inc-1' })) seen.push(r.key);
    assert.deepEqual(seen, ['a', 'c']);
  });

  it('breaks a stale lock left by a crashed process, and times out on a live holder with audit.lock_timeout', async () => {
    const lockPath = join(dir, 'audit.lock');
    // No lease: the lock is dropped as each append completes, so the fake holder below takes a free lock.
    const log = await openLog(dir, { lockTimeoutMs: 300, lockLeaseMs: 0 });
    await fs.writeFile(lockPath, '');
    const longAgo = new Date(Date.now() - 60_000);
    await fs.utimes(lockPath, longAgo, longAgo);
    assert.equal((await log.append({ key: 'a', actor, action: 'test.appended' })).seq, 1);
    await fs.writeFile(lockPath, '');
    await assert.rejects(log.append({ key: 'b', actor, action: 'test.appended' }), { code: 'audit.lock_timeout' });
    await fs.unlink(lockPath);
    await log.close();
  });

  it('keeps the lock between appends that follow closely, lets another appender in once idle, and leaves no lock behind', async () => {
    const lockPath = join(dir, 'audit.lock');
    const first = await openLog(dir, { lockLeaseMs: 50 });
    const second = await openLog(dir, { lockLeaseMs: 50 });
    const inodes = new Set<number>();
    for (let i = 0; i < 5; i++) {
      await first.append({ key: `first-${i}`, actor, action: 'test.appended' });
      inodes.add((await fs.stat(lockPath)).ino); // still held after the append resolved
    }
    assert.equal(inodes.size, 1, 'one lock file for a run of appends');
    // The other appender (another process, as far as the lock is concerned) waits for the idle lease and reads first's records.
    const other = await second.append({ key: 'second-0', actor, action: 'test.appended' });
    assert.equal(other.seq, 6);
    const again = await first.append({ key: 'first-5', actor, action: 'test.appended' });
    assert.equal(again.seq, 7);
    await second.close();
    await new Promise((r) => setTimeout(r, 100));
    await assert.rejects(fs.stat(lockPath), { code: 'ENOENT' });
    await first.close();
    assert.deepEqual((await verifyAuditLog(dir, keys.publicKey)).problems, []);
  });
});
