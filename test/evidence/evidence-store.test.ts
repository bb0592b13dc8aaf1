import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { CustodyEvent, EvidenceMeta, EvidenceStore } from '../../evidence';

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

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    n += entry.isDirectory() ? await countFiles(join(dir, entry.name)) : 1;
  }
  return n;
}

describe('evidence store', () => {
  let dir: string;
  let mirrored: CustodyEvent[];
  let store: EvidenceStore;
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'firebreak-evidence-'));
    mirrored = [];
    store = await EvidenceStore.open(dir, { maxBytes: 1024 * 1024, onCustodyEvent: (e) => void mirrored.push(e) });
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('stores streamed bytes under their SHA-256 and returns them on open', async () => {
    const body = Buffer.from('{"alert":"disk full"}'.repeat(5000));
    const item = await store.put(Readable.from([body.subarray(0, 7000), body.subarray(7000)]), meta());
    const sha256 = createHash('sha256').update(body).digest('hex');
    assert.equal(item.sha256, sha256);
    assert.equal(item.size, body.length);
    assert.match(item.collectedAt, /Z$/);
    await fs.access(join(dir, 'objects', sha256.slice(0, 2), sha256));
    assert.deepEqual(await readAll(await store.open(item.evidenceId, responder, 'triage')), body);
  });

  it('stores a capture once when the same key is put twice, returning the same item', async () => {
    const first = await store.put(Buffer.from('first capture'), meta());
    const second = await store.put(Buffer.from('a retried capture saw other bytes'), meta());
    assert.deepEqual(second, first);
    assert.equal(await countFiles(join(dir, 'objects')), 1);
    assert.deepEqual((await store.custody(first.evidenceId)).map((e) => e.event), ['collected']);
    // The mirror hears `collected` again with the same eventId, so a failed first mirror catches up.
    assert.deepEqual(mirrored.map((e) => e.eventId), [`${first.evidenceId}/collected`, `${first.evidenceId}/collected`]);
  });

  it('keeps one object for identical bytes captured under different keys', async () => {
    const a = await store.put(Buffer.from('same bytes'), meta({ key: 'k-a' }));
    const b = await store.put(Buffer.from('same bytes'), meta({ key: 'k-b', name: 'copy.json' }));
    assert.notEqual(a.evidenceId, b.evidenceId);
    assert.equal(a.sha256, b.sha256);
    assert.equal(await countFiles(join(dir, 'objects')), 1);
  });

  it('refuses evidence altered on disk with evidence.tampered and records tamper-detected', async () => {
    const item = await store.put(Buffer.from('original log excerpt'), meta());
    const path = join(dir, 'objects', item.sha256.slice(0, 2), item.sha256);
    await fs.chmod(path, 0o644);
    const bytes = await fs.readFile(path);
    bytes[3] = bytes[3]! ^ 0x01;
    await fs.writeFile(path, bytes);
    await assert.rejects(store.open(item.evidenceId, responder, 'legal review'), { code: 'evidence.tampered' });
    const trail = await store.custody(item.evidenceId);
    assert.deepEqual(trail.map((e) => e.event), ['collected', 'tamper-detected']);
    assert.notEqual(trail[1]!.sha256, item.sha256);
  });

  it('refuses evidence whose object file is gone with evidence.tampered', async () => {
    const item = await store.put(Buffer.from('short-lived'), meta());
    await fs.rm(join(dir, 'objects', item.sha256.slice(0, 2), item.sha256), { force: true });
    await assert.rejects(store.open(item.evidenceId, responder, 'triage'), { code: 'evidence.tampered' });
  });

  it('records views, exports and hand-overs with who, when and why', async () => {
    const item = await store.put(Buffer.from('pcap bytes'), meta());
    await readAll(await store.open(item.evidenceId, responder, 'triage'));
    await readAll(await store.open(item.evidenceId, responder, 'report to regulator', { event: 'exported' }));
    await store.handOver(item.evidenceId, responder, { to: 'Acme Forensics Ltd', reason: 'external analysis' });
    const trail = await store.custody(item.evidenceId);
    assert.deepEqual(trail.map((e) => e.event), ['collected', 'viewed', 'exported', 'handed-over']);
    assert.equal(trail[3]!.to, 'Acme Forensics Ltd');
    assert.deepEqual(trail[1]!.by, responder);
    assert.equal(new Set(trail.map((e) => e.eventId)).size, 4);
    assert.deepEqual(mirrored.map((e) => e.event), ['collected', 'viewed', 'exported', 'handed-over']);
  });

  it('refuses content over the size limit with evidence.too_large and leaves nothing behind', async () => {
    const big = Readable.from(Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 1)));
    await assert.rejects(store.put(big, meta()), { code: 'evidence.too_large' });
    assert.equal(await countFiles(join(dir, 'objects')), 0);
    assert.equal(await countFiles(join(dir, 'tmp')), 0);
  });

  it('answers evidence.not_found and evidence.invalid_meta with their codes', async () => {
    await assert.rejects(store.open(`ev-${'0'.repeat(32)}`, responder, 'triage'), { code: 'evidence.not_found' });
    await assert.rejects(store.open('../../etc/passwd', responder, 'triage'), { code: 'evidence.not_found' });
    await assert.rejects(store.put(Buffer.from('x'), meta({ mediaType: 'not a media type' })), { code: 'evidence.invalid_meta' });
  });

  it('lists an incident’s items in collection order', async () => {
    await store.put(Buffer.from('b'), meta({ key: 'b', collectedAt: '2025-03-01T10:05:00+01:00' }));
    await store.put(Buffer.from('a'), meta({ key: 'a', collectedAt: '2025-03-01T09:01:00Z' }));
    await store.put(Buffer.from('other'), meta({ key: 'c', incidentId: 'inc-2' }));
    const items = await store.listEvidence('inc-1');
    assert.deepEqual(items.map((i) => i.collectedAt), ['2025-03-01T09:01:00Z', '2025-03-01T10:05:00+01:00']);
    assert.deepEqual(await store.listEvidence('inc-unknown'), []);
  });
});
