import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatIssue } from '../../shared/source-issue';
import { loadRunbookLibrary } from '../../runbooks/load';
import type { Step } from '../../runbooks/schema/step';

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

describe('the real runbooks in the library', () => {
  const REAL = ['ransomware-host', 'compromised-account', 'personal-data-breach', 'leaked-cloud-key', 'phishing-campaign', 'ddos-availability'];

  function flatten(steps: readonly Step[]): Step[] {
    return steps.flatMap((step) => [step, ...flatten(childSteps(step))]);
  }
  function childSteps(step: Step): Step[] {
    if (step.kind === 'sequence') return step.steps;
    if (step.kind === 'when') return [...step.steps, ...step.otherwise];
    if (step.kind === 'parallel') return step.branches.flat();
    return [];
  }
  /** Ids of emails that could run without an approval having completed before them on the same path. */
  function ungatedEmails(steps: readonly Step[], gated: boolean): string[] {
    const found: string[] = [];
    for (const step of steps) {
      if (step.kind === 'approval') gated = true;
      if (step.kind === 'action' && step.action === 'notify.email' && !gated) found.push(step.id);
      if (step.kind === 'parallel') step.branches.forEach((branch) => found.push(...ungatedEmails(branch, gated)));
      if (step.kind === 'when') found.push(...ungatedEmails(step.steps, gated), ...ungatedEmails(step.otherwise, gated));
      if (step.kind === 'sequence') found.push(...ungatedEmails(step.steps, gated));
    }
    return found;
  }

  for (const id of REAL) {
    it(`${id}: contains with undo, captures evidence, asks people, gates emails behind approval, runs clocks`, async () => {
      const { runbooks } = await loadRunbookLibrary(LIBRARY);
      const runbook = runbooks.find((pinned) => pinned.runbook.id === id)?.runbook;
      assert.ok(runbook, `${id} is in the library`);
      const steps = flatten(runbook.steps);
      assert.ok(steps.some((s) => s.kind === 'action' && s.compensate), 'containment with undo');
      assert.ok(steps.some((s) => s.kind === 'action' && s.action === 'evidence.capture'), 'evidence capture');
      assert.ok(steps.some((s) => s.kind === 'input'), 'decision points');
      assert.ok(steps.some((s) => s.kind === 'clock' && s.start.length > 0), 'deadline clocks');
      assert.ok(steps.some((s) => s.kind === 'action' && s.action === 'notify.email'), 'disclosure');
      assert.deepEqual(ungatedEmails(runbook.steps, false), []);
      assert.ok(runbook.match, 'matches alerts');
    });
  }
});

describe('compromised-workload', () => {
  it('fences the pod with undo, keeps its logs, and deletes it only after an approval on the same path', async () => {
    const { runbooks } = await loadRunbookLibrary(LIBRARY);
    const runbook = runbooks.find((pinned) => pinned.runbook.id === 'compromised-workload')?.runbook;
    assert.ok(runbook);
    const order: string[] = [];
    const walk = (steps: readonly Step[]): void => {
      for (const step of steps) {
        if (step.kind === 'action') order.push(`${step.action}${step.compensate ? ` (undo ${step.compensate.action})` : ''}`);
        if (step.kind === 'approval') order.push('approval');
        if (step.kind === 'parallel') step.branches.forEach(walk);
        if (step.kind === 'when' || step.kind === 'sequence') walk(step.steps);
      }
    };
    walk(runbook.steps);
    assert.ok(order.includes('workload.quarantine (undo workload.release)'));
    assert.ok(order.includes('node.cordon (undo node.uncordon)'));
    assert.ok(order.includes('workload.collect-logs'));
    assert.equal(order.indexOf('workload.delete') - 1, order.indexOf('approval'), 'the delete comes right after its approval');
  });
});
