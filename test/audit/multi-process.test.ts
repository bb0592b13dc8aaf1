import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey, loadPublicKey, readAuditRecords, verifyAuditLog } from '../../audit';
import { tempDir } from './fixtures/temp-log';

const WORKER = join(__dirname, 'fixtures', 'append-worker.ts');
const PER_PROCESS = 150;

function runWorker(dir: string, prefix: string, signingPem: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', WORKER, dir, prefix, String(PER_PROCESS)], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, TEST_AUDIT_SIGNING_KEY: signingPem },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${prefix} exited ${code}: ${stderr}`))));
  });
}

describe('audit log across processes', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('audit-mp');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('two processes appending at once produce one valid chain, shared keys written once', async () => {
    const key = generateSigningKey();
    await Promise.all([runWorker(dir, 'alpha', key.privatePem), runWorker(dir, 'beta', key.privatePem)]);

    const result = await verifyAuditLog(dir, loadPublicKey(key.publicPem));
    assert.deepEqual(result.problems, []);
    const sharedKeys = PER_PROCESS / 10;
    assert.equal(result.records, 2 * PER_PROCESS + sharedKeys);
    assert.ok(result.checkpoints >= 1);

    const keys: string[] = [];
    for await (const r of readAuditRecords(dir)) keys.push(r.key);
    assert.equal(new Set(keys).size, keys.length);
    const writers = new Set<string>();
    for await (const r of readAuditRecords(dir)) if (r.action === 'test.appended') writers.add(r.actor.id);
    assert.deepEqual([...writers].sort(), ['alpha', 'beta']);
  });
});
