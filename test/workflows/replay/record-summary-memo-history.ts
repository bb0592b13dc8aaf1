import { answerUpdate, decideUpdate } from '../../../workflows/incident/definitions';
import { HOUR, clockActivities, startTimeSkipping, until, withIncident } from '../deadline-clocks/harness';
import { record, saveHistory } from './recorder';

/*
 * Records an incident that keeps its summary memo (patch `incident-summary-memo`) for the replay test: a clock starts,
 * a question and an approval wait and are decided, the notice stops the clock and the incident completes, each change
 * an upsert of the memo. Run it when the summary changes on purpose (with `patched()` guards), from a clean export of
 * what was committed, and commit the file:
 *   npx tsx test/workflows/replay/record-summary-memo-history.ts
 */
const runbook = (awareAt: string) => ({
  id: 'summary-memo',
  version: 1,
  title: 'Summary memo',
  roles: { respond: ['security-oncall'], approve: ['legal'] },
  steps: [
    { id: 'start-gdpr', clock: { start: 'gdpr-art33-sa', at: awareAt, reason: 'personal data confirmed exfiltrated' } },
    { id: 'notify-now', input: { ask: 'Send the notice now?', type: 'boolean', role: 'respond' } },
    { id: 'notice-approved', approval: { role: 'approve', draft: 'Notice to the regulator.' } },
    { id: 'regulator-notice', action: 'noop', stops: 'gdpr-art33-sa' },
  ],
});

record(startTimeSkipping, async (env) => {
  const awareAt = new Date((await env.currentTimeMs()) - 2 * HOUR).toISOString();
  await withIncident(env, runbook(awareAt), clockActivities(), async (incident) => {
    const handle = env.client.workflow.getHandle(incident.id);
    await until(incident, (s) => s.pendingInputs[0]);
    await handle.executeUpdate(answerUpdate, { args: [{ stepId: 'notify-now', value: true, actor: { kind: 'person', id: 'dana', roles: ['security-oncall'] }, at: new Date().toISOString() }] });
    const approval = await until(incident, (s) => s.approvals.find((a) => a.stepId === 'notice-approved'));
    await handle.executeUpdate(decideUpdate, { args: [{ stepId: 'notice-approved', decision: 'approve', reason: 'notifiable', draftSha256: approval.draftSha256, actor: { kind: 'person', id: 'lee', roles: ['legal'] }, at: new Date().toISOString() }] });
    await handle.result();
    const history = await handle.fetchHistory();
    const upserts = history.events?.filter((e) => e.workflowPropertiesModifiedEventAttributes).length ?? 0;
    if (upserts < 3) throw new Error(`only ${upserts} memo upserts recorded`);
    saveHistory(history, 'summary-memo.binpb', `${upserts} memo upserts`);
  });
});
