import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import type { Checkpoint } from '../../audit';
import { EvidenceStore } from '../../evidence';
import { BUNDLE } from '../../report/bundle-format';
import { tempDir } from '../helpers/temporal';

const repoRoot = path.resolve(__dirname, '../..');
const run = promisify(execFile);

describe('firebreak export delivers the checkpoint it writes off the machine', function () {
  this.timeout(120_000);

  it('leaves the export’s checkpoint mail in the outbox when audit.checkpointEmail is set and there is no SMTP', async () => {
    const dataDir = tempDir('export-checkpoint');
    const configFile = path.join(dataDir, 'firebreak.yaml');
    writeFileSync(configFile, 'audit:\n  checkpointEmail: audit-witness@example.org\n');
    const incidentId = 'incident/test/export';
    const evidence = await EvidenceStore.open(path.join(dataDir, 'evidence'));
    await evidence.put(Buffer.from('{"title":"disk full"}'), {
      key: `${incidentId}/preserve-alert`,
      incidentId,
      mediaType: 'application/json',
      name: 'alert.json',
      source: 'alertmanager',
      method: 'webhook firebreak',
      collectedBy: { kind: 'system', id: 'firebreak-worker' },
    });

    // Only this test's settings: an inherited FIREBREAK_* (say, an SMTP URL) would send the mail elsewhere.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FIREBREAK_')));
    const out = path.join(tempDir('export-checkpoint-out'), 'bundle');
    await run('npx', ['tsx', 'cli/main.ts', 'export', incidentId, '--out', out], { cwd: repoRoot, env: { ...env, FIREBREAK_DATA_DIR: dataDir, FIREBREAK_CONFIG: configFile } });

    const checkpoint = JSON.parse(readFileSync(path.join(out, BUNDLE.checkpoints), 'utf8')) as Checkpoint;
    const mails = readdirSync(path.join(dataDir, 'outbox')).filter((name) => /^audit-checkpoint-.*\.eml$/.test(name));
    assert.equal(mails.length, 1);
    const mail = await simpleParser(readFileSync(path.join(dataDir, 'outbox', mails[0]!)));
    assert.equal((mail.to as { text: string }).text, 'audit-witness@example.org');
    assert.ok(mail.text?.includes(checkpoint.note), 'the mail carries the signed note of the checkpoint in the bundle');
  });
});
