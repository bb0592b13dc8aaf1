import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { runRunbookTest } from '../../../cli/runbook-test/driver';
import { RunbookTestScript } from '../../../cli/runbook-test/script';
import { loadRunbookFile } from '../../../runbooks/load';
import type { LiftContainmentInput } from '../../../workflows/containment/lift-workflow';
import type { ActionRequest } from '../../../workflows/runbook-interpreter/steps/action';
import { quietRunbookTestEnvironment, record, saveHistory } from './recorder';
import { DRILL } from './expiry-drill';

/*
 * Records the audited lift paths (patched 'containment-lift-audit', issue 14) for the replay test: an incident arming a
 * lift with its escalation, the lift that ran and recorded containment.lifted, and a lift whose undo kept failing
 * (containment.lift_failed, the incident commander emailed, the Slack channel told, the lift failed).
 *   npx tsx test/workflows/replay/record-lift-outcome-histories.ts
 */
record(quietRunbookTestEnvironment, async (shared) => {
  const save = async (workflowId: string, name: string) => saveHistory(await shared.env.client.workflow.getHandle(workflowId).fetchHistory(), name);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'expiry-drill-')), 'expiry-drill.yaml');
  writeFileSync(file, DRILL);
  const drill = await loadRunbookFile(file);
  if (!drill.ok) throw new Error('the drill runbook does not load');
  const answered = RunbookTestScript.parse({ steps: [{ step: 'still-bad', answer: false, as: 'carol', roles: ['security-oncall'], after: '3h' }] });
  const lifted = await runRunbookTest({ pinned: drill.pinned, children: {}, alert: { title: 'drill', labels: { ip: '203.0.113.9' }, severity: 'high' }, script: answered }, shared);
  if (lifted.lifts[0]?.outcome !== 'lifted') throw new Error(`expected the lift to run: ${JSON.stringify(lifted.lifts)}`);
  await save(lifted.status.incidentId, 'expiry-drill.lift-audit.binpb');
  await save(`${lifted.status.incidentId}/lift/block`, 'lift-containment.lift-audit.binpb');

  // A lift whose vendor refuses every attempt, started as the incident starts it.
  const taskQueue = `lift-failed-${randomUUID()}`;
  const noticed = async (request: ActionRequest) => ({ key: request.key });
  const activities = {
    'network.unblock-ip': async () => {
      throw ApplicationFailure.create({ type: 'cloudflare.unavailable', message: 'Cloudflare answered 503' });
    },
    'audit.append': async (request: { key: string }) => ({ seq: 1, hash: request.key }),
    'notify.email': noticed,
    'notify.slack': noticed,
  };
  const worker = await Worker.create({ connection: shared.env.nativeConnection, taskQueue, workflowBundle: shared.bundle, activities });
  const incidentId = `incident/drill/${randomUUID().replace(/-/g, '')}`;
  const input: LiftContainmentInput = {
    incidentId,
    stepId: 'block',
    action: 'network.unblock-ip',
    with: { ip: '203.0.113.9', reason: 'drill' },
    liftAt: new Date((await shared.env.currentTimeMs()) + 2 * 3_600_000).toISOString(),
    escalation: { to: 'ic-oncall@example.org', slack: true, title: 'Block for two hours' },
  };
  const workflowId = `${incidentId}/lift/block`;
  await worker.runUntil(async () => {
    const handle = await shared.env.client.workflow.start('liftContainmentWorkflow', { taskQueue, workflowId, args: [input] });
    const outcome = await handle.result().then(() => 'lifted', () => 'failed');
    if (outcome !== 'failed') throw new Error('expected the lift to fail');
  });
  await save(workflowId, 'lift-containment.lift-failed.binpb');
});
