import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../../helpers/temporal';
import { HISTORIES_DIR, shippedScenarios } from './scenarios';

describe('recorded histories of every shipped runbook replay on the current workflow code', function () {
  this.timeout(120_000);
  const files = readdirSync(HISTORIES_DIR).filter((name) => name.endsWith('.binpb'));

  it('has a recorded history for every shipped runbook', () => {
    for (const { id } of shippedScenarios()) assert.ok(files.includes(`${id}.binpb`), `histories/${id}.binpb (record with test/workflows/replay/record-histories.ts)`);
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
