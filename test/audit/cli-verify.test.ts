import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { generateSigningKey, loadPublicKey, loadSigningKey, type AuditVerification } from '../../audit';
import { registerAuditCommands } from '../../cli/commands/audit';
import { readLogLines, tempDir, writeLog, writeLogLines } from './fixtures/temp-log';

async function runVerify(dataDir: string, args: string[]): Promise<{ exitCode: number | undefined; stdout: string }> {
  const program = new Command().exitOverride();
  registerAuditCommands(program, { dataDir: () => dataDir });
  const [write, writeErr] = [process.stdout.write, process.stderr.write];
  let stdout = '';
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await program.parseAsync(['audit', 'verify', ...args], { from: 'user' });
    return { exitCode: process.exitCode === undefined ? undefined : Number(process.exitCode), stdout };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    process.exitCode = undefined;
  }
}

const writeErr = process.stderr.write;

describe('firebreak audit verify', function () {
  this.timeout(60_000);
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await tempDir('audit-cli');
    const key = generateSigningKey();
    await fs.writeFile(join(dataDir, 'audit-checkpoint.pub.pem'), key.publicPem);
    await writeLog(join(dataDir, 'audit'), { signingKey: loadSigningKey(key.privatePem), publicKey: loadPublicKey(key.publicPem) }, 30, { checkpointEvery: 10 });
  });
  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('exits 0 for an intact log found under the data dir (checked against itself only)', async () => {
    const { exitCode, stdout } = await runVerify(dataDir, ['--json', '--no-witness']);
    assert.equal(exitCode, 0);
    assert.equal((JSON.parse(stdout) as AuditVerification).ok, true);
  });

  it('exits 1 and names the first bad record by seq', async () => {
    const dir = join(dataDir, 'audit');
    const lines = await readLogLines(dir);
    lines[11] = lines[11]!.replace('"n":12', '"n":13');
    await writeLogLines(dir, lines);
    const { exitCode, stdout } = await runVerify(dataDir, ['--dir', dir, '--json', '--no-witness']);
    assert.equal(exitCode, 1);
    const result = JSON.parse(stdout) as AuditVerification;
    assert.deepEqual({ code: result.problems[0]?.code, seq: result.problems[0]?.seq }, { code: 'audit.hash_mismatch', seq: 12 });
  });

  it('exits 2 when the witness cannot be read, rather than passing a log it could not cross-check', async () => {
    const program = new Command().exitOverride();
    registerAuditCommands(program, { dataDir: () => dataDir, target: () => ({ baseUrl: 'http://127.0.0.1:9', dataDir }) });
    try {
      process.stderr.write = (() => true) as typeof process.stderr.write;
      await program.parseAsync(['audit', 'verify'], { from: 'user' });
      assert.equal(process.exitCode, 2);
    } finally {
      process.stderr.write = writeErr;
      process.exitCode = undefined;
    }
  });

  it('exits 2 when no public key can be read', async () => {
    const { exitCode } = await runVerify(dataDir, ['--public-key', join(dataDir, 'missing.pem')]);
    assert.equal(exitCode, 2);
  });
});
