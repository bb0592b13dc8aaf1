import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { answerUpdate } from '../../../workflows/incident/definitions';
import { type IncidentSummary, SUMMARY_MEMO_KEY } from '../../../workflows/incident/summary';
import { HOUR, clockActivities, startTimeSkipping, until, withIncident } from '../deadline-clocks/harness';

const runbook = (awareAt: string) => ({
  id: 'summary-memo',
  version: 3,
  title: 'Summary memo',
  roles: { respond: ['security-oncall'] },
  steps: [
    { id: 'start-gdpr', clock: { start: 'gdpr-art33-sa', at: awareAt, reason: 'personal data confirmed exfiltrated' } },
    { id: 'notify-now', input: { ask: 'Send the notice now?', type: 'boolean', role: 'respond' } },
    { id: 'regulator-notice', action: 'noop', stops: 'gdpr-art33-sa' },
  ],
});

/*
 * The incident keeps a summary of itself in its memo (what lists show without asking it): the time-skipping test
 * server answers describe() with the memo as upserted, like the real server's visibility store.
 */
describe('the incident summary memo', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTimeSkipping();
  });
  after(async () => env?.teardown());

  it('shows the running clock, who is waited on, and the participants, and follows the incident to its close', async () => {
    const t0 = await env.currentTimeMs();
    const awareAt = new Date(t0 - 2 * HOUR).toISOString();
    await withIncident(env, runbook(awareAt), clockActivities(), async (incident) => {
      const handle = env.client.workflow.getHandle(incident.id);
      const memo = async () => (await handle.describe()).memo?.[SUMMARY_MEMO_KEY] as IncidentSummary | undefined;
      await until(incident, (s) => s.pendingInputs[0]);
      const waiting = await eventuallyMemo(memo, (m) => m.waiting.length > 0);
      assert.equal(waiting.phase, 'running');
      assert.deepEqual(waiting.runbook, { id: 'summary-memo', version: 3 });
      assert.equal(waiting.openedBy, 'olivia');
      assert.deepEqual(waiting.waiting.map((w) => [w.stepId, w.kind, w.allowedRoles]), [['notify-now', 'input', ['security-oncall']]]);
      assert.deepEqual(waiting.clocks, [{ clockId: 'gdpr-art33-sa', stage: (await incident.status()).clocks[0]!.stages[0]!.title, dueAt: new Date(Date.parse(awareAt) + 72 * HOUR).toISOString() }]);

      await handle.executeUpdate(answerUpdate, { args: [{ stepId: 'notify-now', value: true, actor: { kind: 'person', id: 'dana', roles: ['security-oncall'] }, at: new Date().toISOString() }] });
      const closed = await eventuallyMemo(memo, (m) => m.phase === 'completed');
      assert.deepEqual(closed.waiting, []);
      assert.deepEqual(closed.clocks, [], 'the notice stopped the clock');
      assert.ok(closed.people.includes('dana') && closed.people.includes('olivia'), JSON.stringify(closed.people));
    });
  });
});

async function eventuallyMemo(read: () => Promise<IncidentSummary | undefined>, check: (m: IncidentSummary) => boolean): Promise<IncidentSummary> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = await read();
    if (m && check(m)) return m;
    if (Date.now() > deadline) throw new Error(`memo never matched: ${JSON.stringify(m)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
