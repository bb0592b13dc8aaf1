import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually, type FirebreakUnderTest } from '../helpers/firebreak';
import { incident, incidentIds, secretEnv, send, startIngress, whsec } from './ingress-harness';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** An Alertmanager v4 notification for one group; each alert given as [fingerprint, status]. */
function notification(groupKey: string, alerts: [string, 'firing' | 'resolved'][]) {
  return {
    version: '4',
    groupKey,
    status: alerts.every(([, s]) => s === 'resolved') ? 'resolved' : 'firing',
    receiver: 'firebreak',
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: { alertname: 'DiskFull', severity: 'warning' },
    commonAnnotations: { summary: 'Disks filling up' },
    externalURL: 'http://127.0.0.1:9093',
    alerts: alerts.map(([fingerprint, status], i) => ({
      status,
      labels: { alertname: 'DiskFull', instance: `db-${i}`, severity: i === 0 ? 'critical' : 'warning' },
      annotations: { summary: `Disk full on db-${i}` },
      startsAt: '2025-03-04T08:00:00Z',
      endsAt: status === 'resolved' ? '2025-03-04T09:00:00Z' : ZERO_TIME,
      fingerprint,
    })),
  };
}

describe('grouping: one open incident per fingerprint', function () {
  this.timeout(120_000);
  const token = randomUUID();
  const refs = secretEnv('grouping', { token, sw: whsec() });
  const am = { bearerTokens: [token] };
  let fb: FirebreakUnderTest;

  before(async () => {
    fb = await startIngress({
      sources: {
        fan: { kind: 'alertmanager', auth: { bearerTokens: [refs.token] } },
        grouped: { kind: 'alertmanager', auth: { bearerTokens: [refs.token] }, grouping: 'per-group' },
        burst: { kind: 'standard-webhooks', auth: { secrets: [refs.sw] } },
      },
      routing: { rules: [], defaultRunbook: 'generic-alert-notice' },
    });
  });
  after(async () => fb?.stop());

  it('fans an Alertmanager group out to one incident per alert fingerprint by default', async () => {
    const answer = await send(fb, 'fan', 'alertmanager', am, notification(`{}:{g="${randomUUID()}"}`, [[randomUUID(), 'firing'], [randomUUID(), 'firing']]));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const ids = incidentIds(answer);
    assert.equal(new Set(ids).size, 2);
  });

  it('with grouping per-group, a group is one incident: its severity the worst, its status the group\'s', async () => {
    const groupKey = `{}:{g="${randomUUID()}"}`;
    const [a, b] = [randomUUID(), randomUUID()];
    const firing = await send(fb, 'grouped', 'alertmanager', am, notification(groupKey, [[a, 'firing'], [b, 'firing']]));
    assert.equal(incidentIds(firing).length, 1);
    const id = incidentIds(firing)[0]!;
    const opened = await eventually(async () => incident(fb, id));
    assert.deepEqual([opened.severity, opened.alerts.status], ['critical', 'firing']);

    const resolved = await send(fb, 'grouped', 'alertmanager', am, notification(groupKey, [[a, 'resolved'], [b, 'resolved']]));
    assert.deepEqual(incidentIds(resolved), [id]);
    const after = await eventually(async () => {
      const s = await incident(fb, id);
      return s.alerts.status === 'resolved' ? s : undefined;
    });
    assert.equal(after.alerts.count, 2);
    assert.ok(after.timeline.some((t) => t.event === 'alert.resolved'));
  });

  it('records a resolved alert on its open incident', async () => {
    const fingerprint = randomUUID();
    const groupKey = `{}:{g="${randomUUID()}"}`;
    const firing = await send(fb, 'fan', 'alertmanager', am, notification(groupKey, [[fingerprint, 'firing']]));
    const resolved = await send(fb, 'fan', 'alertmanager', am, notification(groupKey, [[fingerprint, 'resolved']]));
    assert.deepEqual([firing.status, resolved.status], [202, 202]);
    assert.deepEqual(incidentIds(resolved), incidentIds(firing));
    await eventually(async () => ((await incident(fb, incidentIds(firing)[0]!)).alerts.status === 'resolved' ? true : undefined));
  });

  it('20 concurrent deliveries of one fingerprint (different delivery ids) open exactly one incident', async () => {
    const fingerprint = `burst-${randomUUID()}`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => send(fb, 'burst', 'standard-webhooks', { secrets: [process.env.FB_TEST_GROUPING_SW!] }, { title: `burst ${i}`, fingerprint })),
    );
    assert.deepEqual(answers.map((a) => a.status), Array(20).fill(202));
    const ids = new Set(answers.flatMap(incidentIds));
    assert.equal(ids.size, 1);
    const [id] = [...ids];
    const runs = [];
    for await (const run of fb.client.workflow.list({ query: `WorkflowId = '${id}'` })) runs.push(run.runId);
    assert.equal(runs.length, 1, 'one workflow run');
    await eventually(async () => ((await incident(fb, id!)).alerts.count === 20 ? true : undefined), 20_000, 'all 20 alerts recorded');
  });

  it('a fingerprint whose incident has closed opens a successor incident with its own id, linked to the closed one', async () => {
    const fingerprint = `reopen-${randomUUID()}`;
    const sw = { secrets: [process.env.FB_TEST_GROUPING_SW!] };
    const first = await send(fb, 'burst', 'standard-webhooks', sw, { title: 'reopen', fingerprint });
    const id = incidentIds(first)[0]!;
    const firstRun = (await fb.client.workflow.getHandle(id).describe()).runId;
    await eventually(async () => incident(fb, id));
    // Terminated rather than aborted: this test is about ingress after a close, whatever the runbook does on abort.
    await fb.client.workflow.getHandle(id, firstRun).terminate('test: the incident closed');

    const again = await send(fb, 'burst', 'standard-webhooks', sw, { title: 'reopen', fingerprint });
    assert.equal(again.status, 202);
    const successor = incidentIds(again)[0]!;
    assert.equal(successor, `${id}r2`, 'the next generation of the same fingerprint');
    assert.deepEqual((again.body.incidents as { outcome: string; reopenedFrom: string }[]).map((i) => [i.outcome, i.reopenedFrom]), [['reopened', id]]);
    const closed = await fb.client.workflow.getHandle(id).describe();
    assert.deepEqual([closed.runId, closed.status.name], [firstRun, 'TERMINATED'], 'the closed incident never runs again');
    const status = await eventually(async () => incident(fb, successor));
    assert.deepEqual([status.phase, status.alerts.count, status.reopenedFrom], ['running', 1, id]);
  });
});
