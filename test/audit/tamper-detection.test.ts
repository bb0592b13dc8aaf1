import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { verifyAuditLog } from '../../audit';
import { canonicalJson } from '../../audit/canonical-json';
import { checkpointBody, signCheckpoint } from '../../audit/checkpoint';
import { AuditRecord, computeRecordHash } from '../../audit/record';
import { readLogLines, tempDir, testKeys, writeLog, writeLogLines } from './fixtures/temp-log';

const RECORDS = 1000;
const keys = testKeys();

function codesAndSeqs(problems: { code: string; seq?: number }[]) {
  return problems.map((p) => ({ code: p.code, seq: p.seq }));
}

describe('audit log tamper detection (1,000 records, checkpoint every 100)', function () {
  this.timeout(120_000);
  let pristine: string;
  let dir: string;

  before(async () => {
    pristine = await tempDir('audit-pristine');
    await writeLog(pristine, keys, RECORDS, { checkpointEvery: 100 });
  });
  after(async () => {
    await fs.rm(pristine, { recursive: true, force: true });
  });
  beforeEach(async () => {
    dir = await tempDir('audit-tamper');
    await fs.cp(pristine, dir, { recursive: true });
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('verifies the untouched log', async () => {
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.deepEqual(result.problems, []);
    assert.equal(result.ok, true);
    assert.equal(result.records, RECORDS);
    assert.equal(result.head.size, RECORDS);
  });

  it('locates a single flipped byte in a record by seq (audit.hash_mismatch)', async () => {
    const lines = await readLogLines(dir);
    const victim = lines[636]!; // seq 637
    const at = victim.indexOf('"step":"step-637"') + 10;
    lines[636] = victim.slice(0, at) + String.fromCharCode(victim.charCodeAt(at) ^ 0x01) + victim.slice(at + 1);
    await writeLogLines(dir, lines);
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.equal(result.ok, false);
    assert.deepEqual(codesAndSeqs(result.problems), [{ code: 'audit.hash_mismatch', seq: 637 }]);
  });

  it('locates a byte flip that breaks the JSON (audit.malformed)', async () => {
    const lines = await readLogLines(dir);
    lines[41] = lines[41]!.replace('"data":{', '"data":[');
    await writeLogLines(dir, lines);
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.deepEqual(codesAndSeqs(result.problems), [{ code: 'audit.malformed', seq: 42 }]);
  });

  it('refuses a number too large for a double even when the line carries the hash of its text (audit.malformed)', async () => {
    const lines = await readLogLines(dir);
    const forged = lines[41]!.replace('"n":42', '"n":1e400');
    const oldHash = /"hash":"([0-9a-f]{64})"/.exec(forged)![1]!;
    const member = `,"hash":"${oldHash}"`;
    const newHash = createHash('sha256').update(forged.replace(member, '')).digest('hex');
    lines[41] = forged.replace(member, `,"hash":"${newHash}"`);
    await writeLogLines(dir, lines);
    const result = await verifyAuditLog(dir, keys.publicKey);
    // JSON.parse reads 1e400 as Infinity, which no record can hold; the next record still links to the original.
    assert.deepEqual(codesAndSeqs(result.problems), [{ code: 'audit.malformed', seq: 42 }, { code: 'audit.chain_broken', seq: 43 }]);
  });

  it('detects deletion of the last record against the closing checkpoint (audit.truncated)', async () => {
    const lines = await readLogLines(dir);
    await writeLogLines(dir, lines.slice(0, -1));
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.deepEqual(codesAndSeqs(result.problems), [{ code: 'audit.truncated', seq: RECORDS }]);
  });

  it('detects a record deleted from the middle (audit.seq_gap)', async () => {
    const lines = await readLogLines(dir);
    lines.splice(299, 1); // seq 300
    await writeLogLines(dir, lines);
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.equal(result.problems[0]?.code, 'audit.seq_gap');
    assert.equal(result.problems[0]?.seq, 300);
  });

  it('detects two swapped records once, at the record that arrives late (audit.reordered)', async () => {
    const lines = await readLogLines(dir);
    [lines[499], lines[500]] = [lines[500]!, lines[499]!]; // seq 500 and 501
    await writeLogLines(dir, lines);
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.deepEqual(codesAndSeqs(result.problems), [{ code: 'audit.reordered', seq: 500 }]);
  });

  it('detects a rewritten history with recomputed hashes against earlier checkpoints (audit.checkpoint_not_extending)', async () => {
    const lines = await readLogLines(dir);
    let prev: string | undefined;
    for (let i = 449; i < lines.length; i++) {
      const record = AuditRecord.parse(JSON.parse(lines[i]!));
      if (i === 449) record.data = { ...record.data, step: 'nothing-to-see' };
      if (prev) record.prev = prev;
      record.hash = computeRecordHash(record);
      prev = record.hash;
      lines[i] = canonicalJson(record);
    }
    await writeLogLines(dir, lines);
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.equal(result.ok, false);
    assert.deepEqual(result.problems[0], { ...result.problems[0], code: 'audit.checkpoint_not_extending', seq: 500 });
  });

  it('rejects a checkpoint signed with another key (audit.checkpoint_bad_signature)', async () => {
    const lines = await readLogLines(dir);
    const last = AuditRecord.parse(JSON.parse(lines.at(-1)!));
    const forged = signCheckpoint({ origin: 'test.firebreak/audit', size: RECORDS + 5, head: last.hash, at: new Date(), key: testKeys().signingKey });
    await fs.appendFile(join(dir, 'checkpoints.jsonl'), `${JSON.stringify(forged)}\n`);
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.deepEqual(codesAndSeqs(result.problems), [{ code: 'audit.checkpoint_bad_signature', seq: RECORDS + 5 }]);
  });

  it('rejects a genuine checkpoint whose size was altered in its signed note (audit.checkpoint_bad_signature)', async () => {
    const path = join(dir, 'checkpoints.jsonl');
    const cps = (await fs.readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { size: number; head: string; origin: string; note: string });
    const victim = cps[2]!; // size 300
    const oldBody = checkpointBody(victim.origin, victim.size, victim.head);
    victim.size = 250;
    victim.note = victim.note.replace(oldBody, checkpointBody(victim.origin, victim.size, victim.head));
    await fs.writeFile(path, cps.map((cp) => `${JSON.stringify(cp)}\n`).join(''));
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.deepEqual(codesAndSeqs(result.problems), [{ code: 'audit.checkpoint_bad_signature', seq: 250 }]);
  });

  it('rejects a checkpoint whose fields disagree with its note (audit.checkpoint_malformed)', async () => {
    const path = join(dir, 'checkpoints.jsonl');
    const cps = (await fs.readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { size: number });
    cps[0]!.size = 1;
    await fs.writeFile(path, cps.map((cp) => `${JSON.stringify(cp)}\n`).join(''));
    const result = await verifyAuditLog(dir, keys.publicKey);
    assert.deepEqual(codesAndSeqs(result.problems), [{ code: 'audit.checkpoint_malformed', seq: 1 }]);
  });

  it('verifies records and checkpoints handed over in memory (an export)', async () => {
    const records = (await readLogLines(dir)).map((l) => JSON.parse(l) as unknown);
    const checkpoints = (await fs.readFile(join(dir, 'checkpoints.jsonl'), 'utf8')).trim().split('\n');
    assert.equal((await verifyAuditLog({ records, checkpoints }, keys.publicKey)).ok, true);
    const result = await verifyAuditLog({ records: records.slice(0, 950), checkpoints }, keys.publicKey);
    assert.deepEqual(codesAndSeqs(result.problems), [{ code: 'audit.truncated', seq: 951 }]);
  });
});
