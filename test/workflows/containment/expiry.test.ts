import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type RunbookTestEnvironment, runRunbookTest, startRunbookTestEnvironment } from '../../../cli/runbook-test/driver';
import { RunbookTestScript } from '../../../cli/runbook-test/script';
import { loadRunbookFile } from '../../../runbooks/load';
import { tempDir, workflowBundle } from '../../helpers/temporal';

const RUNBOOK = `
id: expiry-drill
version: 1
title: Block for two hours
description: A block with a ttl, then the incident goes on for longer than the block lasts.
match: 'alert.labels.category == "drill"'
roles:
  respond: [security-oncall]
steps:
  - id: block
    action: network.block-ip
    with: { ip: '{{alert.labels.ip}}', reason: drill, ttl: 2h }
    compensate: true
  - id: still-bad
    input: { ask: Is the source still attacking?, type: boolean, role: respond }
  - id: hold
    wait: 5h
`;

describe('containment that expires (ttl)', function () {
  this.timeout(180_000);
  let shared: RunbookTestEnvironment;
  let file: string;
  before(async () => {
    shared = await startRunbookTestEnvironment(await workflowBundle());
    file = path.join(tempDir('expiry-runbook'), 'expiry-drill.yaml');
    writeFileSync(file, RUNBOOK);
  });
  after(async () => shared?.env.teardown());

  const run = async (moves: unknown[]) => {
    const loaded = await loadRunbookFile(file);
    assert.ok(loaded.ok, JSON.stringify(loaded));
    const alert = { title: 'drill', labels: { category: 'drill', ip: '203.0.113.9' }, severity: 'high' as const };
    return runRunbookTest({ pinned: loaded.pinned, children: {}, alert, script: RunbookTestScript.parse({ steps: moves }) }, shared);
  };

  it('lifts the block when its ttl passes, with the undo the compensation would run, while the incident goes on', async () => {
    const report = await run([{ step: 'still-bad', answer: true, as: 'carol', roles: ['security-oncall'], after: '3h' }]);
    assert.equal(report.status.phase, 'completed');
    const lifts = report.actions.filter((a) => a.action === 'network.unblock-ip');
    assert.deepEqual(lifts.map((a) => [a.key, a.input.ip]), [[`${report.status.incidentId}/block/undo`, '203.0.113.9']]);
    const armed = report.status.timeline.find((t) => t.event === 'step.expiry_armed');
    assert.ok(armed && armed.stepId === 'block', 'the timeline says when the block lifts');
    const lift = await shared.env.client.workflow.getHandle(`${report.status.incidentId}/lift/block`).describe();
    assert.equal(lift.status.name, 'COMPLETED');
  });

  it('on abort before the ttl, undoes once and cancels the lift', async () => {
    const report = await run([{ step: 'still-bad', abort: 'false positive', as: 'carol', roles: ['security-oncall'] }]);
    assert.equal(report.status.phase, 'aborted');
    const lift = await shared.env.client.workflow.getHandle(`${report.status.incidentId}/lift/block`).describe();
    assert.equal(lift.status.name, 'CANCELLED');
    assert.equal(report.actions.filter((a) => a.action === 'network.unblock-ip').length, 1);
  });
});
