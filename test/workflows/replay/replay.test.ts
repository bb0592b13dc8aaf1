import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../../helpers/temporal';
import { loadRunbookFile } from '../../../runbooks/load';
import { HISTORIES_DIR, recordedRunbook, shippedScenarios } from './scenarios';

describe('recorded histories of every shipped runbook replay on the current workflow code', function () {
  this.timeout(120_000);
  const files = readdirSync(HISTORIES_DIR).filter((name) => name.endsWith('.binpb'));

  it("has a recorded history of every shipped runbook's current version", async () => {
    const recorded = new Set(
      files.map((name) => recordedRunbook(temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORIES_DIR, name))))).flatMap((r) => (r ? [`${r.id} v${r.version}`] : [])),
    );
    const missing: string[] = [];
    for (const { id, file } of shippedScenarios()) {
      const loaded = await loadRunbookFile(file);
      assert.ok(loaded.ok, `${id} loads`);
      const current = `${id} v${loaded.pinned.runbook.version}`;
      if (!recorded.has(current)) missing.push(`${current} (npx tsx test/workflows/replay/record-histories.ts ${id})`);
    }
    assert.deepEqual(missing, []);
  });

  it('replays each one without a determinism error', async () => {
    const histories = files.map((name) => ({ workflowId: name, history: temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORIES_DIR, name))) }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message.split('\n')[0]}`);
    }
    assert.deepEqual(failures, []);
  });
});
