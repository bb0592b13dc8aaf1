import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { AUDIT_FILES, PROMPT_CHECKPOINT_MS, loadPublicKey, loadSigningKey, verifyAuditLog, type AuditVerification } from '../../audit';
import { canonicalJson } from '../../audit/canonical-json';
import { Checkpoint, signCheckpoint } from '../../audit/checkpoint';
import { AuditRecord, computeRecordHash } from '../../audit/record';
import { readTemporalWitness } from '../../worker/temporal-witness';
import { eventually, FirebreakUnderTest } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

/*
 * The three attacks issue 15 names, plus a rewrite with the signing key, each against a real Firebreak on the suite's
 * Temporal server (outside the data dir, as a cluster is). Each test shows the attack hides from a check of the log
 * against itself where it should, and what catches it.
 */

const ROOT = path.resolve(__dirname, '../..');
const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter(Boolean);
const writeLines = (file: string, text: string[]): void => writeFileSync(file, text.map((l) => `${l}\n`).join(''));

async function cliVerify(fb: FirebreakUnderTest, args: string[] = []): Promise<{ code: number; result: AuditVerification }> {
  const env = { ...process.env, FIREBREAK_DATA_DIR: fb.dataDir, FIREBREAK_URL: fb.baseUrl, FIREBREAK_TOKEN: fb.adminToken };
  const run = await promisify(execFile)('npx', ['tsx', 'cli/main.ts', 'audit', 'verify', '--json', ...args], { cwd: ROOT, env }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  return { code: run.code, result: JSON.parse(run.stdout) as AuditVerification };
}

const codes = (result: AuditVerification): string[] => [...new Set(result.problems.map((p) => p.code))];

describe('the audit witness: truncation and rollback are caught with the default config', function () {
  this.timeout(240_000);
  let fb: FirebreakUnderTest;
  // One queue per test: each test's data dir has its own payload keys, so another test's runs would not decode.
  let taskQueue: string;
  const auditDir = () => path.join(fb.dataDir, 'audit');
  const recordsFile = () => path.join(auditDir(), AUDIT_FILES.records);
  const checkpointsFile = () => path.join(auditDir(), AUDIT_FILES.checkpoints);
  const publicKey = () => loadPublicKey(readFileSync(path.join(fb.dataDir, 'audit-checkpoint.pub.pem'), 'utf8'));

  const checkpointSizes = (): number[] => lines(checkpointsFile()).map((l) => Checkpoint.parse(JSON.parse(l)).size);

  /** Opens an incident and waits until Temporal holds a head for it; returns the newest head Temporal holds. */
  async function incidentWitnessed(title: string): Promise<number> {
    const sent = await fb.sendAlert({ title, severity: 'high', labels: { run: randomUUID() } });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const incidentId = (sent.body.incidents as { incidentId: string }[])[0]!.incidentId;
    return eventually(async () => {
      const witness = await readTemporalWitness(fb.client, taskQueue);
      return witness.heads.some((h) => h.incidentId === incidentId) ? Math.max(...witness.heads.map((h) => h.size)) : undefined;
    }, 60_000, `a head recorded by ${incidentId}`);
  }

  /**
   * Stops Firebreak as an attacker would before editing its files: once the prompt checkpoint covers the log's end (it
   * does within seconds of the last record) and every writer has seen it. Returns the log's size.
   */
  async function stopWhenQuiet(): Promise<number> {
    await fb.stopWorker();
    const size = await eventually(async () => {
      const end = lines(recordsFile()).length;
      return checkpointSizes().at(-1) === end ? end : undefined;
    }, 20_000, 'a checkpoint at the end of the log');
    await new Promise((r) => setTimeout(r, PROMPT_CHECKPOINT_MS + 500));
    await fb.stop();
    return size;
  }

  /** Starts Firebreak again on the same data dir and task queue (it records `config.loaded` as it starts). */
  async function restart(): Promise<void> {
    fb = await FirebreakUnderTest.start({ taskQueue, dataDir: fb.dataDir });
  }

  beforeEach(async () => {
    taskQueue = `witness-${randomUUID()}`;
    fb = await FirebreakUnderTest.start({ taskQueue });
  });
  afterEach(async () => fb?.stop().catch(() => undefined));

  it('delete the last record: the prompt checkpoint catches it (audit.checkpoint_not_extending), and the witness when an incident wrote it', async () => {
    const newestHead = await incidentWitnessed('witness: delete the last record');
    const size = await stopWhenQuiet();
    writeLines(recordsFile(), lines(recordsFile()).slice(0, -1));
    await restart();
    const { code, result } = await cliVerify(fb);
    assert.equal(code, 1);
    // The restart's own first record took the deleted one's place: the checkpoint written within seconds of the deleted
    // record names a different head there. The witness names it too when an incident's own publish was the last write.
    const expected = newestHead === size ? ['audit.checkpoint_not_extending', 'audit.witness_mismatch'] : ['audit.checkpoint_not_extending'];
    assert.deepEqual(codes(result).sort(), expected);
    assert.equal(result.problems[0]!.seq, size);
  });

  it('truncate to an old checkpoint with matching local checkpoints: passes alone, the witness catches it (audit.witness_truncated)', async () => {
    await incidentWitnessed('witness: first incident');
    // The checkpoint written within seconds of the first incident's records: the one the attacker cuts back to.
    const old = await eventually(async () => {
      const last = lines(checkpointsFile()).at(-1);
      return last === undefined ? undefined : Checkpoint.parse(JSON.parse(last));
    }, 20_000, 'a prompt checkpoint');
    const newestHead = await incidentWitnessed('witness: second incident');
    assert.ok(newestHead > old.size + 2, 'the second incident saw the log well beyond the old checkpoint');
    await stopWhenQuiet();
    writeLines(recordsFile(), lines(recordsFile()).slice(0, old.size));
    writeLines(checkpointsFile(), lines(checkpointsFile()).filter((l) => Checkpoint.parse(JSON.parse(l)).size <= old.size));
    await restart();

    const alone = await cliVerify(fb, ['--no-witness']);
    assert.equal(alone.code, 0, `a log cut back to a checkpoint is consistent with itself: ${JSON.stringify(alone.result.problems)}`);
    const { code, result } = await cliVerify(fb);
    assert.equal(code, 1);
    // The restart appended a record or two after the cut; the witness saw the log far beyond them.
    assert.ok(codes(result).includes('audit.witness_truncated'), JSON.stringify(result.problems));
    assert.deepEqual(codes(result).filter((c) => c !== 'audit.witness_mismatch'), ['audit.witness_truncated']);
  });

  it('swap in an older copy of the whole data directory: passes alone, the witness catches it (audit.witness_truncated)', async () => {
    await incidentWitnessed('witness: before the copy');
    const copy = tempDir('witness-copy');
    await fb.stop();
    cpSync(fb.dataDir, copy, { recursive: true });
    const dataDir = fb.dataDir;
    fb = await FirebreakUnderTest.start({ taskQueue, dataDir });
    await incidentWitnessed('witness: after the copy');
    await fb.stop();
    rmSync(dataDir, { recursive: true, force: true });
    cpSync(copy, dataDir, { recursive: true });
    fb = await FirebreakUnderTest.start({ taskQueue, dataDir });

    const alone = await cliVerify(fb, ['--no-witness']);
    assert.equal(alone.code, 0, 'an older data directory is consistent with itself');
    const { code, result } = await cliVerify(fb);
    assert.equal(code, 1);
    assert.deepEqual(codes(result), ['audit.witness_truncated']);
  });

  it('rewrite a record with the signing key (re-hashed chain, re-signed checkpoints): passes alone, the witness catches it (audit.witness_mismatch)', async () => {
    await incidentWitnessed('witness: rewritten');
    await stopWhenQuiet();
    const records = lines(recordsFile()).map((l) => AuditRecord.parse(JSON.parse(l)));
    const target = records.findIndex((r) => r.action === 'alert.received' || r.incidentId !== undefined);
    assert.ok(target >= 0);
    records[target] = { ...records[target]!, data: { ...records[target]!.data, rewritten: 'by someone holding the key' } };
    for (let i = target; i < records.length; i++) {
      const { hash: _old, ...body } = { ...records[i]!, prev: i === 0 ? records[i]!.prev : records[i - 1]!.hash };
      records[i] = { ...body, hash: computeRecordHash(body) };
    }
    writeLines(recordsFile(), records.map((r) => canonicalJson(r)));
    const key = loadSigningKey(fb.secrets.auditSigningKey.reveal());
    const resigned = lines(checkpointsFile()).map((l) => {
      const cp = Checkpoint.parse(JSON.parse(l));
      return JSON.stringify(signCheckpoint({ origin: cp.origin, size: cp.size, head: records[cp.size - 1]!.hash, at: new Date(cp.at), key }));
    });
    writeLines(checkpointsFile(), resigned);

    assert.equal((await verifyAuditLog(auditDir(), publicKey())).ok, true, 'consistent with itself after re-signing');
    await restart();
    const { code, result } = await cliVerify(fb);
    assert.equal(code, 1);
    assert.deepEqual(codes(result), ['audit.witness_mismatch']);
  });
});
