import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRunbookLibrary, loadRunbooks } from '../../runbooks/load';

const runbook = (id: string, steps: string) => `id: ${id}\nversion: 1\ntitle: ${id}\nsteps:\n${steps}`;
const child = (stepId: string, target: string) => `  - id: ${stepId}\n    runbook: ${target}\n`;
const noop = '  - id: note\n    action: noop\n';

async function library(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'firebreak-library-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

describe('checks across runbook files', () => {
  it('reports runbook.cycle on each child step that leads back to its own runbook', async () => {
    const dir = await library({
      'a.yaml': runbook('a', child('run-b', 'b')),
      'b.yaml': runbook('b', noop + child('run-a', 'a')),
      'c.yaml': runbook('c', child('run-c', 'c')),
      'd.yaml': runbook('d', child('run-a', 'a')),
    });
    const { runbooks, issues } = await loadRunbookLibrary(dir);
    assert.deepEqual(
      issues.map(({ file, issue }) => [file.slice(dir.length + 1), issue.code, issue.path.join('.'), issue.line, issue.column]),
      [
        ['a.yaml', 'runbook.cycle', 'steps.0.runbook', 6, 14],
        ['b.yaml', 'runbook.cycle', 'steps.1.runbook', 8, 14],
        ['c.yaml', 'runbook.cycle', 'steps.0.runbook', 6, 14],
      ],
    );
    // d only calls into the loop; it is not part of it, so it still loads.
    assert.deepEqual(runbooks.map((pinned) => pinned.runbook.id), ['d']);
  });

  it('reports runbook.unknown_child at the step that names it', async () => {
    const dir = await library({ 'a.yaml': runbook('a', noop + child('run-ghost', 'ghost')) });
    const { issues } = await loadRunbookLibrary(dir);
    assert.deepEqual(issues.map(({ issue }) => [issue.code, issue.path.join('.'), issue.line]), [['runbook.unknown_child', 'steps.1.runbook', 8]]);
  });

  it('reports runbook.duplicate_id on the later file', async () => {
    const dir = await library({ '1-first.yaml': runbook('same', noop), '2-second.yaml': runbook('same', noop) });
    const { issues } = await loadRunbookLibrary(dir);
    assert.deepEqual(issues.map(({ file, issue }) => [file.slice(dir.length + 1), issue.code, issue.path.join('.'), issue.line, issue.column]), [
      ['2-second.yaml', 'runbook.duplicate_id', 'id', 1, 5],
    ]);
  });

  it('reports the problems of every file, not only the first bad one', async () => {
    const dir = await library({ 'a.yaml': runbook('a', '  - id: x\n    action: nope\n'), 'b.yaml': 'id: [', 'c.yml': runbook('c', noop), 'notes.txt': 'ignored' });
    const { runbooks, issues } = await loadRunbookLibrary(dir);
    assert.deepEqual([...new Set(issues.map(({ file }) => file.slice(dir.length + 1)))], ['a.yaml', 'b.yaml']);
    assert.deepEqual(runbooks.map((pinned) => pinned.runbook.id), ['c']);
  });

  it('checks a mix of files and directories together', async () => {
    const dir = await library({ 'parent.yaml': runbook('parent', child('run-kid', 'kid')) });
    const other = await library({ 'kid.yaml': runbook('kid', noop) });
    const { runbooks, issues } = await loadRunbooks([dir, join(other, 'kid.yaml')]);
    assert.deepEqual(issues, []);
    assert.deepEqual(runbooks.map((pinned) => pinned.runbook.id), ['parent', 'kid']);
  });
});
