import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { type CustodyEvent, type EvidenceMeta, EvidenceStore } from '../../evidence';
import { S3BucketBackend, type S3BucketSettings } from '../../evidence/s3-bucket';
import { loadConfig } from '../../worker/config';
import { openEvidenceStore } from '../../worker/evidence-store';
import { S3_TEST_CREDENTIALS, type S3TestServer, startS3Server } from '../helpers/s3-server';
import { tempDir } from '../helpers/temporal';

const responder = { kind: 'person', id: 'U123' } as const;
const collector = { kind: 'system', id: 'firebreak-worker' } as const;

function meta(overrides: Partial<EvidenceMeta> = {}): EvidenceMeta {
  return {
    key: 'inc-1/preserve-alert/alert.json',
    incidentId: 'inc-1',
    mediaType: 'application/json',
    name: 'alert.json',
    source: 'alertmanager://prod/alerts/abc',
    method: 'webhook-capture firebreak/0.1.0',
    collectedBy: collector,
    stepId: 'preserve-alert',
    ...overrides,
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** `count` chunks of pseudo-random bytes, generated as they are read, so the test itself never holds the whole file. */
function generated(count: number, chunkBytes: number): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  const stream = Readable.from(
    (function* () {
      for (let i = 0; i < count; i++) {
        const chunk = createHash('sha512').update(String(i % 4096)).digest();
        const bytes = Buffer.alloc(chunkBytes);
        for (let at = 0; at < chunkBytes; at += chunk.length) chunk.copy(bytes, at);
        hash.update(bytes);
        yield bytes;
      }
    })(),
  );
  return { stream, sha256: () => hash.digest('hex') };
}

function forcedGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  // V8 frees array buffers on a background thread after a GC; on a busy machine that thread lags, and buffers already
  // garbage still count in memoryUsage().arrayBuffers (seen as +18 to +29 MiB mid-upload at load, +0.1 quiet).
  v8.setFlagsFromString('--no-concurrent-array-buffer-sweeping');
  return runInNewContext('gc') as () => void;
}

describe('evidence store in an S3-compatible bucket (moto)', function () {
  this.timeout(120_000);
  let s3: S3TestServer;
  let bucket: string;
  let settings: S3BucketSettings;
  let mirrored: CustodyEvent[];
  let store: EvidenceStore;

  before(async function () {
    const started = await startS3Server();
    if ('skip' in started) {
      console.log(`    skipped: ${started.skip}`);
      return this.skip();
    }
    s3 = started;
  });
  after(async () => {
    await s3?.stop();
  });
  beforeEach(async () => {
    bucket = await s3.createBucket();
    settings = { bucket, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, prefix: 'firebreak/test', credentials: async () => S3_TEST_CREDENTIALS, spoolDir: tempDir('s3-spool') };
    mirrored = [];
    store = new EvidenceStore(await S3BucketBackend.connect(settings), { maxBytes: 64 * 1024 * 1024, onCustodyEvent: (e) => void mirrored.push(e) });
  });

  const keysIn = async (prefix = ''): Promise<string[]> => ((await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

  it('stores streamed bytes under objects/<sha256> below the prefix and returns them on open', async () => {
    const body = Buffer.from('{"alert":"disk full"}'.repeat(5000));
    const item = await store.put(Readable.from([body.subarray(0, 7000), body.subarray(7000)]), meta());
    const sha256 = createHash('sha256').update(body).digest('hex');
    assert.equal(item.sha256, sha256);
    assert.equal(item.size, body.length);
    const raw = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: `firebreak/test/objects/${sha256}` }));
    assert.deepEqual(Buffer.from(await raw.Body!.transformToByteArray()), body);
    assert.deepEqual(await readAll(await store.open(item.evidenceId, responder, 'triage')), body);
    assert.ok((await keysIn()).every((key) => key.startsWith('firebreak/test/')), 'every key under the prefix');
  });

  it('streams a 48 MiB upload through a spool file, never holding it in memory, and leaves no spool file behind', async () => {
    // 64 KiB chunks: Readable.from reads 16 chunks ahead, which must not count against the store.
    const { stream, sha256 } = generated(768, 64 * 1024);
    // Collected before each sample, so the peak counts buffers still in use rather than garbage not yet swept.
    const gc = forcedGc();
    gc();
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const sampler = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 500);
    const started = Date.now();
    const item = await store.put(stream, meta({ name: 'disk-image.bin', mediaType: 'application/octet-stream' })).finally(() => clearInterval(sampler));
    const seconds = (Date.now() - started) / 1000;
    console.log(`      48 MiB stored in ${seconds.toFixed(2)}s (${(48 / seconds).toFixed(1)} MiB/s, spool + hash + PUT to moto); buffer memory peak +${((peak - before) / 1048576).toFixed(1)} MiB`);
    assert.equal(item.sha256, sha256());
    assert.equal(item.size, 48 * 1024 * 1024);
    // Sockets and file streams keep some buffers in flight; half the file would mean it is being gathered in memory.
    assert.ok(peak - before < 24 * 1024 * 1024, `buffers grew by ${peak - before} bytes while storing 48 MiB`);
    assert.deepEqual(await fs.readdir(settings.spoolDir), []);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: `firebreak/test/objects/${item.sha256}` }));
    assert.equal(head.ContentLength, 48 * 1024 * 1024);
    const back = createHash('sha256');
    for await (const chunk of (await store.open(item.evidenceId, responder, 'imaging')) as AsyncIterable<Buffer>) back.update(chunk);
    assert.equal(back.digest('hex'), item.sha256);
  });

  it('stores a capture once when the same key is put twice or concurrently: one item, one collected event', async () => {
    const first = await store.put(Buffer.from('first capture'), meta());
    const again = await store.put(Buffer.from('a retried capture saw other bytes'), meta());
    assert.deepEqual(again, first);
    const racing = await Promise.all([1, 2, 3, 4, 5].map((n) => store.put(Buffer.from(`racer ${n}`), meta({ key: 'race' }))));
    for (const item of racing) assert.deepEqual(item, racing[0], 'every racer got the winner');
    assert.deepEqual((await store.custody(racing[0]!.evidenceId)).map((e) => e.event), ['collected']);
    assert.deepEqual((await store.custody(first.evidenceId)).map((e) => e.event), ['collected']);
    assert.equal((await keysIn('firebreak/test/items/')).length, 2);
  });

  it('keeps one object for identical bytes captured under different keys', async () => {
    const a = await store.put(Buffer.from('same bytes'), meta({ key: 'k-a' }));
    const b = await store.put(Buffer.from('same bytes'), meta({ key: 'k-b', name: 'copy.json' }));
    assert.notEqual(a.evidenceId, b.evidenceId);
    assert.deepEqual(await keysIn('firebreak/test/objects/'), [`firebreak/test/objects/${a.sha256}`]);
  });

  it('keeps the custody trail in order, one object per event, concurrent hand-overs included', async () => {
    const item = await store.put(Buffer.from('pcap bytes'), meta());
    await readAll(await store.open(item.evidenceId, responder, 'triage'));
    await readAll(await store.open(item.evidenceId, responder, 'report to regulator', { event: 'exported' }));
    await store.handOver(item.evidenceId, responder, { to: 'Acme Forensics Ltd', reason: 'external analysis' });
    await Promise.all(['a', 'b', 'c', 'd'].map((to) => store.handOver(item.evidenceId, responder, { to: `Lab ${to}`, reason: 'parallel review' })));
    const trail = await store.custody(item.evidenceId);
    assert.deepEqual(trail.map((e) => e.event), ['collected', 'viewed', 'exported', 'handed-over', 'handed-over', 'handed-over', 'handed-over', 'handed-over']);
    assert.equal(trail[3]!.to, 'Acme Forensics Ltd');
    assert.deepEqual(new Set(trail.slice(4).map((e) => e.to)), new Set(['Lab a', 'Lab b', 'Lab c', 'Lab d']));
    assert.deepEqual(trail[1]!.by, responder);
    assert.equal(new Set(trail.map((e) => e.eventId)).size, 8);
    assert.equal((await keysIn(`firebreak/test/custody/${item.evidenceId}/`)).length, 8);
    assert.deepEqual(mirrored.map((e) => e.eventId).sort(), trail.map((e) => e.eventId).sort());
  });

  it('refuses an object overwritten in the bucket with evidence.tampered and records tamper-detected', async () => {
    const item = await store.put(Buffer.from('original log excerpt'), meta());
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: `firebreak/test/objects/${item.sha256}`, Body: 'original log exCerpt' }));
    await assert.rejects(store.open(item.evidenceId, responder, 'legal review'), { code: 'evidence.tampered' });
    const trail = await store.custody(item.evidenceId);
    assert.deepEqual(trail.map((e) => e.event), ['collected', 'tamper-detected']);
    assert.equal(trail[1]!.sha256, createHash('sha256').update('original log exCerpt').digest('hex'));
    assert.equal(mirrored.at(-1)!.event, 'tamper-detected');
  });

  it('refuses an object deleted from the bucket with evidence.tampered', async () => {
    const item = await store.put(Buffer.from('short-lived'), meta());
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `firebreak/test/objects/${item.sha256}` }));
    await assert.rejects(store.open(item.evidenceId, responder, 'triage'), { code: 'evidence.tampered' });
  });

  it('refuses content over the size limit with evidence.too_large and leaves nothing behind', async () => {
    const small = new EvidenceStore(await S3BucketBackend.connect(settings), { maxBytes: 1024 * 1024 });
    const big = Readable.from(Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 1)));
    await assert.rejects(small.put(big, meta()), { code: 'evidence.too_large' });
    assert.deepEqual(await keysIn(), []);
    assert.deepEqual(await fs.readdir(settings.spoolDir), []);
  });

  it('lists an incident’s items in collection order, and stores under other prefixes stay apart', async () => {
    await store.put(Buffer.from('b'), meta({ key: 'b', collectedAt: '2025-03-01T10:05:00+01:00' }));
    await store.put(Buffer.from('a'), meta({ key: 'a', collectedAt: '2025-03-01T09:01:00Z' }));
    await store.put(Buffer.from('other'), meta({ key: 'c', incidentId: 'inc-2' }));
    assert.deepEqual((await store.listEvidence('inc-1')).map((i) => i.collectedAt), ['2025-03-01T09:01:00Z', '2025-03-01T10:05:00+01:00']);
    assert.deepEqual(await store.listEvidence('inc-unknown'), []);
    const neighbour = new EvidenceStore(await S3BucketBackend.connect({ ...settings, prefix: 'other-team/' }));
    assert.deepEqual(await neighbour.listEvidence('inc-1'), []);
    await assert.rejects(neighbour.get((await store.listEvidence('inc-1'))[0]!.evidenceId), { code: 'evidence.not_found' });
  });

  it('puts every object under Object Lock retention when configured', async () => {
    const locked = await s3.createBucket({ objectLock: true });
    const lockedStore = new EvidenceStore(await S3BucketBackend.connect({ ...settings, bucket: locked, objectLock: { mode: 'GOVERNANCE', days: 30 } }));
    const item = await lockedStore.put(Buffer.from('retained'), meta());
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: locked, Key: `firebreak/test/objects/${item.sha256}` }));
    assert.equal(head.ObjectLockMode, 'GOVERNANCE');
    assert.ok(head.ObjectLockRetainUntilDate!.getTime() > Date.now() + 29 * 86_400_000);
    assert.deepEqual(await readAll(await lockedStore.open(item.evidenceId, responder, 'triage')), Buffer.from('retained'));
  });

  it('answers evidence.store_unavailable naming the bucket when it does not exist', async () => {
    await assert.rejects(S3BucketBackend.connect({ ...settings, bucket: 'no-such-bucket-here' }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'evidence.store_unavailable');
      assert.match(error.message, /no-such-bucket-here/);
      return true;
    });
  });

  it('is what the configured store opens: env settings with credentials by reference', async () => {
    process.env.FB_TEST_S3_KEY_ID = S3_TEST_CREDENTIALS.accessKeyId;
    process.env.FB_TEST_S3_SECRET = S3_TEST_CREDENTIALS.secretAccessKey;
    const dataDir = tempDir('s3-config');
    const config = loadConfig({
      FIREBREAK_DATA_DIR: dataDir,
      FIREBREAK_EVIDENCE_STORE: 's3',
      FIREBREAK_EVIDENCE_S3_BUCKET: bucket,
      FIREBREAK_EVIDENCE_S3_ENDPOINT: s3.endpoint,
      FIREBREAK_EVIDENCE_S3_FORCE_PATH_STYLE: 'true',
      FIREBREAK_EVIDENCE_S3_PREFIX: 'configured/',
      FIREBREAK_EVIDENCE_S3_ACCESS_KEY_ID: 'env:FB_TEST_S3_KEY_ID',
      FIREBREAK_EVIDENCE_S3_SECRET_ACCESS_KEY: 'env:FB_TEST_S3_SECRET',
    });
    const configured = await openEvidenceStore(config);
    const item = await configured.put(Buffer.from('via config'), meta());
    assert.deepEqual(await keysIn(`configured/objects/${item.sha256}`), [`configured/objects/${item.sha256}`]);
    await assert.rejects(fs.access(path.join(dataDir, 'evidence')), 'nothing lands in the local evidence folder');
    delete process.env.FB_TEST_S3_SECRET;
    await assert.rejects(openEvidenceStore(config), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'config.secret_unresolved');
      assert.match(error.message, /^evidence\.s3\.secretAccessKey: /);
      return true;
    });
  });
});
