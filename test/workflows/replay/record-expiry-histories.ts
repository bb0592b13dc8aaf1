import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testRunbook } from '../../../cli/runbook-test/command';
import { runRunbookTest } from '../../../cli/runbook-test/driver';
import { RunbookTestScript } from '../../../cli/runbook-test/script';
import { loadRunbookFile } from '../../../runbooks/load';
import { quietRunbookTestEnvironment, record, saveHistory } from './recorder';
import { DRILL } from './expiry-drill';
import { shippedScenarios } from './scenarios';

/*
 * Records the containment-expiry paths (patched 'containment-expiry') for the replay test, beside the shipped
 * scenarios: ransomware-host completing with its C2 block's 30-day lift armed, ransomware-host aborted (the lift
 * cancelled, the block undone once), and a lift workflow that ran its undo.
 *   npx tsx test/workflows/replay/record-expiry-histories.ts
 */
record(quietRunbookTestEnvironment, async (shared) => {
  const save = async (workflowId: string, name: string) => saveHistory(await shared.env.client.workflow.getHandle(workflowId).fetchHistory(), name);
  const scenario = shippedScenarios().find((s) => s.id === 'ransomware-host')!;
  const completed = await testRunbook(scenario, shared);
  if (!completed.report) throw new Error(completed.stderr);
  await save(completed.report.status.incidentId, 'ransomware-host.containment-expiry.binpb');

  const loaded = await loadRunbookFile(scenario.file);
  if (!loaded.ok) throw new Error('ransomware-host does not load');
  const alert = { title: 'Ransomware on wks-9', labels: { category: 'ransomware', host: 'wks-9', c2_ip: '198.51.100.1' }, severity: 'high' as const };
  const abort = RunbookTestScript.parse({ steps: [{ step: 'spread', abort: 'false positive: backup job', as: 'ivan', roles: ['incident-commander'] }] });
  const aborted = await runRunbookTest({ pinned: loaded.pinned, children: {}, alert, script: abort }, shared);
  await save(aborted.status.incidentId, 'ransomware-host.containment-expiry-abort.binpb');

  // A lift that runs: a 2-hour block, and the question is answered three hours later.
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'expiry-drill-')), 'expiry-drill.yaml');
  writeFileSync(file, DRILL);
  const drill = await loadRunbookFile(file);
  if (!drill.ok) throw new Error('the drill runbook does not load');
  const answered = RunbookTestScript.parse({ steps: [{ step: 'still-bad', answer: false, as: 'carol', roles: ['security-oncall'], after: '3h' }] });
  const lifted = await runRunbookTest({ pinned: drill.pinned, children: {}, alert: { title: 'drill', labels: { ip: '203.0.113.9' }, severity: 'high' }, script: answered }, shared);
  if (lifted.lifts[0]?.outcome !== 'lifted') throw new Error(`expected the lift to run: ${JSON.stringify(lifted.lifts)}`);
  await save(`${lifted.status.incidentId}/lift/block`, 'lift-containment.binpb');
});
