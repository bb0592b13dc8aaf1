import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Alert } from '../../../runbooks/schema/alert';
import { alertSignal } from '../../../workflows/incident/definitions';
import { type IncidentSummary, SUMMARY_MEMO_KEY } from '../../../workflows/incident/summary';
import { clockActivities, startTimeSkipping, until, withIncident } from '../deadline-clocks/harness';

const runbook = {
  id: 'summary-alerts',
  version: 1,
  title: 'Summary alert count',
  roles: { respond: ['security-oncall'] },
  steps: [{ id: 'hold', input: { ask: 'Keep it open?', type: 'boolean', role: 'respond' } }],
};

const alert = (n: number, status: Alert['status'], at: string): Alert => ({
  source: 'generic',
  deliveryId: `delivery-${n}`,
  fingerprint: 'flapping',
  title: 'flapping',
  severity: 'high',
  status,
  labels: {},
  occurredAt: at,
  receivedAt: at,
  raw: {},
});

/*
 * The alert count is in the summary memo (patch `incident-summary-alerts`) so an API listing needs no status query, but
 * a storm's repeats must not write the memo once each. The time-skipping server only moves time when told to (env.sleep),
 * so the throttle's minute passes exactly when the test says.
 */
describe('the alert count in the incident summary memo', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTimeSkipping();
  });
  after(async () => env?.teardown());

  it('is written at most once a minute while repeats only move it, and at once when the alert changes status', async () => {
    await withIncident(env, runbook, clockActivities(), async (incident) => {
      const handle = env.client.workflow.getHandle(incident.id);
      const memo = async () => (await handle.describe()).memo?.[SUMMARY_MEMO_KEY] as IncidentSummary | undefined;
      const upserts = async () => (await handle.fetchHistory()).events!.filter((e) => e.workflowPropertiesModifiedEventAttributes).length;
      await until(incident, (s) => s.pendingInputs[0]);
      const first = await eventuallyMemo(memo, (m) => m.waiting.length > 0);
      assert.deepEqual(first.alerts, { count: 0, status: 'firing' }, 'a test incident starts without an alert');
      const before = await upserts();

      const at = new Date(await env.currentTimeMs()).toISOString();
      for (let n = 1; n <= 30; n++) await handle.signal(alertSignal, alert(n, 'firing', at));
      await until(incident, (s) => (s.alerts.count === 30 ? true : undefined));
      assert.equal((await memo())?.alerts?.count, 0, 'thirty repeats within the minute leave the memo as written');
      assert.equal(await upserts(), before, 'no memo write per repeat');

      await env.sleep(61_000);
      const caughtUp = await eventuallyMemo(memo, (m) => m.alerts?.count === 30);
      assert.equal(caughtUp.alerts?.lastSeenAt, at);
      assert.equal(await upserts(), before + 1, 'one write for the thirty repeats, once the minute passed');

      await handle.signal(alertSignal, alert(31, 'resolved', at));
      const resolved = await eventuallyMemo(memo, (m) => m.alerts?.status === 'resolved');
      assert.equal(resolved.alerts?.count, 31, 'a status change writes the count with it, without waiting');
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
