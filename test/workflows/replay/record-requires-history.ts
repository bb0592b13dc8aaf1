import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { answerUpdate, decideUpdate, statusQuery } from '../../../workflows/incident/definitions';
import type { IncidentInput } from '../../../workflows/incident/messages';
import { workflowBundle } from '../../helpers/temporal';
import { clockActivities, pin, startTimeSkipping, until } from '../deadline-clocks/harness';
import { record, saveHistory } from './recorder';

/*
 * Records an incident whose runbook requires a label its alert lacks (patch `requires-ask-labels`) for the replay test:
 * the question `labels.user` waits before the first step, is answered, and the approval's draft reads the answer.
 * Run it when that behaviour changes on purpose (with `patched()` guards), from a clean export of what was committed,
 * and commit the file:
 *   npx tsx test/workflows/replay/record-requires-history.ts
 */
const RUNBOOK = {
  id: 'requires-label',
  version: 1,
  title: 'Requires a label',
  roles: { respond: ['security-oncall'], approve: ['legal'] },
  requires: { labels: [{ label: 'user', ask: 'Which account?' }] },
  steps: [
    { id: 'notice-approved', approval: { role: 'approve', draft: 'Suspend {{alert.labels.user}}.' } },
    { id: 'suspend', action: 'noop' },
  ],
};

record(startTimeSkipping, async (env) => {
  const taskQueue = `requires-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities: clockActivities() });
  await worker.runUntil(async () => {
    const at = new Date(await env.currentTimeMs()).toISOString();
    const incidentId = `incident/declared/${randomUUID().replace(/-/g, '')}`;
    const input: IncidentInput = {
      incidentId,
      title: 'Account takeover',
      severity: 'high',
      openedBy: { kind: 'person', id: 'olivia', roles: ['security-oncall'] },
      openedAt: at,
      pinned: pin(RUNBOOK),
      children: {},
      alert: { source: 'declared', deliveryId: incidentId, fingerprint: incidentId, title: 'Account takeover', severity: 'high', status: 'firing', labels: {}, occurredAt: at, receivedAt: at, raw: {} },
      config: { contacts: {} },
    };
    const handle = await env.client.workflow.start('incidentWorkflow', { taskQueue, workflowId: incidentId, args: [input] });
    const incident = { id: incidentId, status: () => handle.query(statusQuery) };
    await until(incident, (s) => s.pendingInputs.find((p) => p.stepId === 'labels.user'));
    await handle.executeUpdate(answerUpdate, { args: [{ stepId: 'labels.user', value: 'm.smith', actor: { kind: 'person', id: 'dana', roles: ['security-oncall'] }, at: new Date().toISOString() }] });
    const approval = await until(incident, (s) => s.approvals.find((a) => a.stepId === 'notice-approved'));
    if (approval.draft !== 'Suspend m.smith.') throw new Error(`the draft reads ${approval.draft}`);
    await handle.executeUpdate(decideUpdate, { args: [{ stepId: 'notice-approved', decision: 'approve', reason: 'confirmed', draftSha256: approval.draftSha256, actor: { kind: 'person', id: 'lee', roles: ['legal'] }, at: new Date().toISOString() }] });
    await handle.result();
    saveHistory(await handle.fetchHistory(), 'requires-label-question.binpb');
  });
});
