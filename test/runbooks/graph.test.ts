import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runbookToDot, runbookToMermaid } from '../../runbooks/graph';
import { loadRunbookLibrary } from '../../runbooks/load';
import type { Step } from '../../runbooks/schema/step';

const LIBRARY = join(__dirname, '../../runbooks/library');

function allIds(steps: readonly Step[]): string[] {
  return steps.flatMap((step) => {
    const children = step.kind === 'sequence' ? step.steps : step.kind === 'when' ? [...step.steps, ...step.otherwise] : step.kind === 'parallel' ? step.branches.flat() : [];
    return [step.id, ...allIds(children)];
  });
}

describe('runbook graphs', () => {
  it('draws every step of every shipped runbook in DOT and in Mermaid', async () => {
    const { runbooks } = await loadRunbookLibrary(LIBRARY);
    assert.ok(runbooks.length >= 7);
    for (const { runbook } of runbooks) {
      const dot = runbookToDot(runbook);
      const mermaid = runbookToMermaid(runbook);
      assert.match(dot, /^digraph "[a-z-]+" \{\n[\s\S]*\}\n$/);
      assert.match(mermaid, /^flowchart TD\n/);
      for (const id of allIds(runbook.steps)) {
        assert.ok(dot.includes(`  "${id}" [label=`), `${runbook.id}: ${id} in DOT`);
        assert.ok(mermaid.includes(`  n_${id.replace(/-/g, '_')}`), `${runbook.id}: ${id} in Mermaid`);
      }
    }
  });

  it('branches a when with yes and no edges and joins a parallel', async () => {
    const { runbooks } = await loadRunbookLibrary(LIBRARY);
    const ransomware = runbooks.find((pinned) => pinned.runbook.id === 'ransomware-host')!.runbook;
    const dot = runbookToDot(ransomware);
    assert.ok(dot.includes('"c2-known" -> "block-c2" [label="yes"];'));
    assert.ok(dot.includes('"c2-known" -> "contain__join" [label="no"];'));
    assert.ok(dot.includes('"isolate-host" -> "contain__join";'));
    assert.ok(dot.includes('"contain__join" -> "record-containment";'));
    const mermaid = runbookToMermaid(ransomware);
    assert.ok(mermaid.includes('n_c2_known -->|yes| n_block_c2'));
  });

  it('escapes quotes in labels', async () => {
    const { runbooks } = await loadRunbookLibrary(LIBRARY);
    const breach = runbooks.find((pinned) => pinned.runbook.id === 'personal-data-breach')!.runbook;
    assert.ok(runbookToDot(breach).includes('answers[\\"personal-data\\"] == true'));
    assert.ok(runbookToMermaid(breach).includes('answers[#quot;personal-data#quot;] == true'));
  });
});
