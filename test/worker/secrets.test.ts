import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../worker/config';
import { resolveSecrets } from '../../worker/secrets';
import { tempDir } from '../helpers/temporal';

describe('secrets generated on first start', () => {
  it('creates each secret once, mode 0600 in a 0700 directory, in the forms senders expect', () => {
    const dataDir = tempDir('secrets');
    const config = loadConfig({ FIREBREAK_DATA_DIR: dataDir });
    const first = resolveSecrets(config);
    assert.deepEqual([...first.generated].sort(), ['admin-token', 'audit-signing-key.pem', 'payload-keys.json', 'webhook-signing-secret']);
    const dir = path.join(dataDir, 'secrets');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const name of first.generated) assert.equal(statSync(path.join(dir, name)).mode & 0o777, 0o600, name);
    assert.match(first.webhookSigningSecret.reveal(), /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(first.webhookSigningSecret.reveal().slice(6), 'base64').length, 32);
    assert.equal(first.keyring.keys.get(first.keyring.currentId)!.length, 32);
    assert.match(readFileSync(path.join(dataDir, 'audit-checkpoint.pub.pem'), 'utf8'), /BEGIN PUBLIC KEY/);

    const second = resolveSecrets(config);
    assert.deepEqual(second.generated, []);
    assert.equal(second.adminToken.reveal(), first.adminToken.reveal());
  });

  it('gives processes starting together on a fresh data dir the same secrets, never a half-written file', async function () {
    this.timeout(60_000);
    // `firebreak serve` and `firebreak worker` started at once on a new data dir both generate the secrets: the one that
    // loses the race must read the winner's whole file (a reader once met an empty payload-keys.json and stopped).
    const dirs = Array.from({ length: 150 }, () => tempDir('secrets-race'));
    const startAt = Date.now() + 3_000;
    const racer = path.join(__dirname, 'fixtures', 'secrets-racer.ts');
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => new Promise<string[]>((resolve, reject) => {
        const child = spawn(process.execPath, ['--require', 'tsx/cjs', racer, String(startAt), ...dirs], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`racer exited ${code}`))));
      })),
    );
    for (const [i, dir] of dirs.entries()) {
      const seen = runs.map((run) => run[i]!);
      assert.ok(seen.every((s) => !s.startsWith('error')), `${dir}: ${seen.find((s) => s.startsWith('error'))}`);
      assert.equal(new Set(seen).size, 1, `${dir}: the processes resolved different secrets`);
    }
  });

  it('uses configured secrets instead of generating them', () => {
    const dataDir = tempDir('secrets');
    const whsec = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    process.env.FIREBREAK_WEBHOOK_SECRET = whsec;
    try {
      const config = loadConfig({ FIREBREAK_DATA_DIR: dataDir, FIREBREAK_WEBHOOK_SECRET: whsec });
      assert.equal(JSON.stringify(config).includes(whsec), false, 'the config object holds a reference, not the secret');
      const resolved = resolveSecrets(config);
      assert.equal(resolved.webhookSigningSecret.reveal(), whsec);
      assert.equal(resolved.generated.includes('webhook-signing-secret'), false);
    } finally {
      delete process.env.FIREBREAK_WEBHOOK_SECRET;
    }
  });
});
