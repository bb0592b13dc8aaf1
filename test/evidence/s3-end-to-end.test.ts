import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { type AuditRecord, readAuditRecords } from '../../audit';
import type { IncidentReport } from '../../report/model';
import { verifyBundle } from '../../report/verify-bundle';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';
import { S3_TEST_CREDENTIALS, type S3TestServer, startS3Server } from '../helpers/s3-server';
import { tapTestLog } from '../helpers/temporal';

const repoRoot = path.resolve(__dirname, '../..');
const run = promisify(execFile);

describe('Firebreak with its evidence in an S3-compatible bucket (moto)', function () {
  this.timeout(180_000);
  let s3: S3TestServer;
  let bucket: string;
  let fb: FirebreakUnderTest;
  let incidentId: string;
  let s3Env: Record<string, string>;
  const logLines: string[] = [];
  let untap: (() => void) | undefined;

  before(async function () {
    const started = await startS3Server();
    if ('skip' in started) {
      console.log(`    skipped: ${started.skip}`);
      return this.skip();
    }
    s3 = started;
    bucket = await s3.createBucket();
    process.env.FB_TEST_S3_KEY_ID = S3_TEST_CREDENTIALS.accessKeyId;
    process.env.FB_TEST_S3_SECRET = S3_TEST_CREDENTIALS.secretAccessKey;
    s3Env = {
      FIREBREAK_EVIDENCE_STORE: 's3',
      FIREBREAK_EVIDENCE_S3_BUCKET: bucket,
      FIREBREAK_EVIDENCE_S3_ENDPOINT: s3.endpoint,
      FIREBREAK_EVIDENCE_S3_FORCE_PATH_STYLE: 'true',
      FIREBREAK_EVIDENCE_S3_PREFIX: 'ir/',
      FIREBREAK_EVIDENCE_S3_ACCESS_KEY_ID: 'env:FB_TEST_S3_KEY_ID',
      FIREBREAK_EVIDENCE_S3_SECRET_ACCESS_KEY: 'env:FB_TEST_S3_SECRET',
    };
    untap = tapTestLog((line) => logLines.push(line));
    fb = await FirebreakUnderTest.start({ people: [{ id: 'alice', roles: ['legal'] }], env: s3Env });
    const sent = await fb.sendAlert({ title: 'Exfiltration from vault-7', severity: 'critical', description: 's3 evidence test' });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    incidentId = (sent.body.incidents as { incidentId: string }[])[0]!.incidentId;
    await eventually(async () => {
      const status = await fb.api<IncidentStatus>('GET', `/v1/incidents/${incidentId}`);
      return status.body.steps?.some((step) => step.id === 'preserve-alert' && step.state === 'done') ? true : undefined;
    }, 60_000, 'the alert captured as evidence');
  });

  after(async () => {
    untap?.();
    await fb?.stop();
    await s3?.stop();
    delete process.env.FB_TEST_S3_KEY_ID;
    delete process.env.FB_TEST_S3_SECRET;
  });

  const objectSha256 = async (sha256: string): Promise<string> => {
    const object = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: `ir/objects/${sha256}` }));
    return createHash('sha256').update(await object.Body!.transformToByteArray()).digest('hex');
  };
  const cli = (args: string[], env: Record<string, string>) => run('npx', ['tsx', 'cli/main.ts', ...args], { cwd: repoRoot, env: { ...process.env, ...env } });

  it('stores the worker’s capture and a CLI upload in the bucket under their SHA-256, nothing in the data dir', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'fb-s3-ev-')), 'memory.dmp');
    writeFileSync(file, randomBytes(6 * 1024 * 1024));
    const { stdout } = await cli(['evidence', 'add', incidentId, file, '--note', 'memory of vault-7'], { FIREBREAK_URL: fb.baseUrl, FIREBREAK_TOKEN: 'token-alice' });
    const [evidenceId, , sha256] = stdout.trim().split(/\s+/);
    assert.match(evidenceId!, /^ev-[0-9a-f]{32}$/);
    assert.equal(sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
    assert.equal(await objectSha256(sha256!), sha256, 'the bytes in the bucket are the file');

    const list = await fb.api<{ items: { evidenceId: string; name: string; sha256: string; note?: string; custody: { event: string; by: { id: string } }[] }[] }>('GET', `/v1/incidents/${incidentId}/evidence`);
    assert.deepEqual(list.body.items.map((i) => i.name), ['alert.json', 'memory.dmp']);
    for (const item of list.body.items) assert.equal(await objectSha256(item.sha256), item.sha256);
    assert.equal(list.body.items[1]!.note, 'memory of vault-7');
    assert.deepEqual(list.body.items[1]!.custody.map((c) => `${c.event}:${c.by.id}`), ['collected:alice']);
    const keys = ((await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!);
    assert.ok(keys.every((key) => key.startsWith('ir/')));
    assert.ok(!existsSync(path.join(fb.dataDir, 'evidence')), 'no local evidence folder');
    assert.deepEqual(readdirSync(path.join(fb.dataDir, 'tmp', 'evidence-upload')), [], 'no spool file left behind');
  });

  it('reports the bucket’s evidence, and the CLI exports it re-verified into a bundle that verifies offline', async () => {
    const report = await fb.api<IncidentReport>('GET', `/v1/incidents/${incidentId}/report?format=json`);
    assert.equal(report.status, 200);
    assert.deepEqual(report.body.evidence.map((e) => e.name), ['alert.json', 'memory.dmp']);

    const out = mkdtempSync(path.join(os.tmpdir(), 'fb-s3-bundle-'));
    await cli(['export', incidentId, '--out', out], { FIREBREAK_DATA_DIR: fb.dataDir, FIREBREAK_CONFIG: path.join(fb.dataDir, 'firebreak.yaml'), ...s3Env });
    const exported = JSON.parse(readFileSync(path.join(out, 'evidence.json'), 'utf8')) as { evidenceId: string; sha256: string }[];
    assert.equal(exported.length, 2);
    for (const item of exported) assert.equal(createHash('sha256').update(readFileSync(path.join(out, 'evidence', item.evidenceId))).digest('hex'), item.sha256);
    assert.deepEqual((await verifyBundle(out)).problems, []);
    const list = await fb.api<{ items: { custody: { event: string; by: { id: string } }[] }[] }>('GET', `/v1/incidents/${incidentId}/evidence`);
    for (const item of list.body.items) assert.equal(item.custody.at(-1)!.event, 'exported', 'the export is on every item’s custody trail');
  });

  it('refuses a download after the object was overwritten in the bucket, and audits the detection', async () => {
    const list = await fb.api<{ items: { evidenceId: string; sha256: string }[] }>('GET', `/v1/incidents/${incidentId}/evidence`);
    const victim = list.body.items[0]!;
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: `ir/objects/${victim.sha256}`, Body: '{"title":"nothing happened"}' }));
    const got = await fb.api('GET', `/v1/evidence/${victim.evidenceId}/content?purpose=court`, undefined, 'token-alice');
    assert.equal(got.status, 409);
    assert.equal(got.body.error, 'evidence.tampered');
    const records: AuditRecord[] = [];
    for await (const r of readAuditRecords(path.join(fb.dataDir, 'audit'), { incidentId })) records.push(r);
    assert.ok(records.some((r) => r.action === 'evidence.tamper_detected' && r.subject === victim.evidenceId));
  });

  it('keeps the bucket credentials out of logs, audit records, history and the report', async () => {
    const audit = readFileSync(path.join(fb.dataDir, 'audit', 'audit.jsonl'), 'utf8');
    const history = JSON.stringify(await fb.client.workflow.getHandle(incidentId).fetchHistory());
    const report = JSON.stringify((await fb.api('GET', `/v1/incidents/${incidentId}/report?format=json`)).body);
    for (const [where, text] of Object.entries({ logs: logLines.join(''), audit, history, report })) {
      assert.ok(!text.includes(S3_TEST_CREDENTIALS.secretAccessKey), `the secret access key appears in ${where}`);
    }
  });
});
