import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { DEFAULT_RUNBOOK_LIBRARY } from '../../../cli/commands/runbook';
import { createRecordingFakes } from '../../../cli/runbook-test/fake-activities';
import { createIncidentClient } from '../../../ingress/incident-client';
import { loadRunbookFile } from '../../../runbooks/load';
import type { Alert } from '../../../runbooks/schema/alert';
import { createLogger } from '../../../worker/logging';
import type { IncidentStatus } from '../../../workflows/incident/state';
import { quietRunbookTestEnvironment, record, saveHistory } from './recorder';

/*
 * Records the first run of an incident in an alert storm for the replay test: the opening alert, repeats coalesced by
 * the ingress into `alertRepeatsSignal`s while an approval waits, and the continue-as-new after 500 of them. Run it when
 * the storm path changes on purpose (with `patched()` guards), under a new file name so the older recordings stay, and
 * commit the file:
 *   npx tsx test/workflows/replay/record-storm-history.ts alert-storm-roll.summary-alerts.binpb
 */
const FILE = process.argv[2] ?? 'alert-storm-roll.binpb';
const REPEATS = 600;

record(quietRunbookTestEnvironment, async ({ env, bundle }) => {
  const loaded = await loadRunbookFile(path.join(DEFAULT_RUNBOOK_LIBRARY, 'generic-alert-notice.yaml'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const pinned = loaded.pinned;
  const taskQueue = `storm-history-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: createRecordingFakes({}).activities });
  const incidents = createIncidentClient({
    client: env.client,
    taskQueue,
    catalog: { byId: async (id) => (id === pinned.runbook.id ? pinned : undefined), childrenOf: async () => ({}) },
    contacts: { 'security-team': 'security-team@runbook-test.invalid' },
    updateIdKey: randomBytes(32),
    deadlineMs: 60_000,
    log: createLogger('warn'),
  });
  const fingerprint = `storm-${randomUUID()}`;
  const alert = (n: number): Alert => {
    const at = new Date().toISOString();
    return { source: 'generic', deliveryId: `storm-${n}`, fingerprint, title: 'Flapping disk alert', severity: 'high', status: 'firing', labels: { host: 'db-9' }, occurredAt: at, receivedAt: at, raw: {} };
  };
  await worker.runUntil(async () => {
    const first = await incidents.alert(alert(0), pinned);
    if (first.outcome !== 'signalled') throw new Error(JSON.stringify(first));
    const handle = env.client.workflow.getHandle(first.incidentId);
    for (;;) {
      const status = await handle.query<IncidentStatus>('statusQuery');
      if (status.steps.some((s) => s.id === 'approve-notice' && s.state === 'waiting')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Fifty senders at once, as in a storm: the ingress coalesces them into a signal per window.
    let next = 0;
    await Promise.all(Array.from({ length: 50 }, async () => {
      while (next < REPEATS) await incidents.alert(alert((next += 1)), pinned);
    }));
    // The first run: the one the opening alert started, which rolled over during the storm.
    const latest = await handle.fetchHistory();
    const firstRunId = latest.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId;
    if (!firstRunId) throw new Error('no first run id');
    const firstRun = env.client.workflow.getHandle(first.incidentId, firstRunId);
    while ((await firstRun.describe()).status.name !== 'CONTINUED_AS_NEW') await new Promise((resolve) => setTimeout(resolve, 200));
    const history = await firstRun.fetchHistory();
    const signals = history.events?.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    saveHistory(history, FILE, `${signals} signals`);
  });
});
