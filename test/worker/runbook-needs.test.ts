import assert from 'node:assert/strict';
import { loadConfig } from '../../worker/config';
import { logRunbookNeeds } from '../../worker/runbook-needs';
import type { Logger } from '../../shared/logger';
import { tempDir } from '../helpers/temporal';

describe('start-up report of what the runbooks require', () => {
  it('logs each key the default config lacks once, with the file:line:col of its declaration', async () => {
    const lines: string[] = [];
    const log = { warn: (_facts: unknown, message: string) => lines.push(message), info: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
    await logRunbookNeeds(loadConfig({ FIREBREAK_DATA_DIR: tempDir('needs') }), log);
    assert.ok(lines.some((l) => /^runbook cannot run with this config: runbooks\/library\/ransomware-host\.yaml:\d+:\d+ requires\.missing_config: ransomware-host needs containment\.host/.test(l)), lines.join('\n'));
    assert.ok(!lines.some((l) => l.includes('generic-alert-notice')), 'the default config has contacts.security');
    assert.equal(new Set(lines).size, lines.length, 'each once');
  });
});
