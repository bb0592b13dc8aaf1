import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatIssue } from '../../runbooks/issues';
import { loadRunbookLibrary } from '../../runbooks/load';

const LIBRARY = join(__dirname, '../../runbooks/library');

describe('shipped runbook library', () => {
  it('loads every file with no issues', async () => {
    const { runbooks, issues } = await loadRunbookLibrary(LIBRARY);
    assert.deepEqual(issues.map(({ file, issue }) => formatIssue(file, issue)), []);
    const files = (await readdir(LIBRARY)).filter((name) => name.endsWith('.yaml'));
    assert.equal(runbooks.length, files.length);
  });

  it('keeps generic-alert-notice to its three steps: preserve, approve, send', async () => {
    const { runbooks } = await loadRunbookLibrary(LIBRARY);
    const generic = runbooks.find((pinned) => pinned.runbook.id === 'generic-alert-notice')?.runbook;
    assert.ok(generic);
    assert.deepEqual(generic.steps.map((step) => [step.id, step.kind]), [
      ['preserve-alert', 'action'],
      ['approve-notice', 'approval'],
      ['send-notice', 'action'],
    ]);
    assert.deepEqual(generic.roles['approve-disclosure'], ['legal', 'incident-commander']);
  });
});
