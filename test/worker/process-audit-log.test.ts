import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type AuditEntry, type AuditLog, loadPublicKey, readAuditRecords, verifyAuditLog } from '../../audit';
import { type Config, loadConfig } from '../../worker/config';
import { openAuditLog } from '../../worker/process-audit-log';
import { type ResolvedSecrets, auditPublicKeyPath, resolveSecrets } from '../../worker/secrets';
import { tempDir } from '../helpers/temporal';

const entry = (key: string, writer = 'test'): AuditEntry => ({ key, actor: { kind: 'system', id: writer }, action: 'config.loaded', data: {} });

function appendInChild(dataDir: string, writer: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'fixtures', 'shared-audit-appender.ts'), dataDir, writer, String(count)], {
      cwd: path.join(__dirname, '..', '..'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`appender exited ${code}: ${stderr}`))));
  });
}

describe('one audit log per data dir per process', function () {
  this.timeout(60_000);
  let config: Config;
  let secrets: ResolvedSecrets;
  beforeEach(() => {
    config = loadConfig({ FIREBREAK_DATA_DIR: tempDir('shared-audit') });
    secrets = resolveSecrets(config);
  });

  it('the HTTP service and the worker in one process append through one log: each sees the other\'s records at once', async () => {
    const service = await openAuditLog(config, secrets);
    const worker = await openAuditLog(config, secrets);
    try {
      await service.append(entry('service/1'));
      // Two logs of their own would each know only what they wrote, until the next time one took the lock.
      assert.equal(worker.head.size, 1);
      await worker.append(entry('worker/1'));
      assert.deepEqual(service.head, worker.head);
    } finally {
      await service.close();
      await worker.close();
    }
  });

  it('closing one handle leaves the other writing; the closed one refuses; the last close closes the log', async () => {
    const first = await openAuditLog(config, secrets);
    const second = await openAuditLog(config, secrets);
    await first.append(entry('a'));
    await first.close();
    await assert.rejects(first.append(entry('refused')), { code: 'audit.closed' });
    await second.append(entry('b'));
    await second.close();
    await assert.rejects(second.append(entry('refused')), { code: 'audit.closed' });

    const reopened = await openAuditLog(config, secrets);
    await reopened.append(entry('c'));
    await reopened.close();
    const keys: string[] = [];
    for await (const record of readAuditRecords(path.join(config.dataDir, 'audit'))) keys.push(record.key);
    assert.deepEqual(keys, ['a', 'b', 'c']);
  });

  it('another process on the same data dir still takes turns through the lock file: one valid chain', async () => {
    const logs: AuditLog[] = [await openAuditLog(config, secrets), await openAuditLog(config, secrets)];
    const here = Promise.all(Array.from({ length: 200 }, (_, i) => logs[i % 2]!.append(entry(`here/${i}`, 'here'))));
    await Promise.all([here, appendInChild(config.dataDir, 'there', 200)]);
    await Promise.all(logs.map((log) => log.close()));
    const result = await verifyAuditLog(path.join(config.dataDir, 'audit'), loadPublicKey(readFileSync(auditPublicKeyPath(config.dataDir), 'utf8')));
    assert.deepEqual(result.problems, []);
    assert.equal(result.records, 400);
  });
});
