import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { DEFAULT_RUNBOOK_LIBRARY, graphRunbook, registerRunbookCommands, validateRunbooks } from '../../cli/commands/runbook';

describe('runbook CLI commands', () => {
  it('validates the shipped library with exit code 0', async () => {
    const output = await validateRunbooks([DEFAULT_RUNBOOK_LIBRARY]);
    assert.equal(output.exitCode, 0, output.stderr);
    assert.match(output.stdout, /generic-alert-notice v1/);
  });

  it('lists every problem as file:line:col code with exit code 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'firebreak-cli-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'id: bad\nversion: 1\ntitle: Bad\nsteps:\n  - id: a\n    action: nope\n  - id: a\n    wait: soon\n');
    const output = await validateRunbooks([dir]);
    assert.equal(output.exitCode, 1);
    const lines = output.stderr.trim().split('\n');
    assert.match(lines[0]!, new RegExp(`^${file}:6:13 step\\.unknown_action: `));
    assert.match(lines[1]!, new RegExp(`^${file}:7:9 step\\.duplicate_id: `));
    assert.match(lines[2]!, new RegExp(`^${file}:8:11 schema\\.invalid: `));
    assert.equal(lines.length, 4);
  });

  it('exits 2 for a path that does not exist', async () => {
    assert.equal((await validateRunbooks(['/nonexistent/runbooks'])).exitCode, 2);
  });

  it('draws a runbook by id or by file', async () => {
    const byId = await graphRunbook('generic-alert-notice', 'mermaid');
    assert.equal(byId.exitCode, 0);
    assert.match(byId.stdout, /n_preserve_alert/);
    const byFile = await graphRunbook(join(DEFAULT_RUNBOOK_LIBRARY, 'generic-alert-notice.yaml'), 'dot');
    assert.match(byFile.stdout, /"send-notice"/);
    assert.equal((await graphRunbook('no-such-runbook', 'dot')).exitCode, 2);
  });

  it('registers runbook validate, graph, test and schema on a commander program', () => {
    const program = new Command();
    registerRunbookCommands(program);
    const runbook = program.commands.find((command) => command.name() === 'runbook');
    assert.deepEqual(runbook?.commands.map((command) => command.name()), ['validate', 'graph', 'test', 'schema']);
  });
});
