import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { answerUpdate } from '../../../workflows/incident/definitions';
import { HOUR, clockActivities, startTimeSkipping, until, withIncident } from './harness';

const runbook = (awareAt: string, noticeAfter: string) => ({
  id: 'gdpr-clock',
  version: 1,
  title: 'GDPR clock',
  steps: [
    { id: 'start-gdpr', clock: { start: 'gdpr-art33-sa', at: awareAt, reason: 'personal data confirmed exfiltrated' } },
    { id: 'draft-and-approve', wait: noticeAfter },
    { id: 'regulator-notice', action: 'noop', stops: 'gdpr-art33-sa' },
  ],
});

describe('GDPR Art 33 clock in an incident', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTimeSkipping();
  });
  after(async () => env?.teardown());

  it('counts 72 h from the stated awareness time, reminds at 50/75/90% and 1 h before, escalates, and records a late stop by how much', async () => {
    const t0 = await env.currentTimeMs();
    const awareAt = t0 - 2 * HOUR; // the person states they became aware two hours before the step ran
    const sent: { key: string; at: number }[] = [];
    await withIncident(env, runbook(new Date(awareAt).toISOString(), '72h'), clockActivities(sent), async (incident) => {
      const started = await until(incident, (s) => s.clocks[0]);
      assert.equal(started.id, 'gdpr-art33-sa');
      assert.equal(started.triggeredAt, new Date(awareAt).toISOString());
      assert.equal(started.reason, 'personal data confirmed exfiltrated');
      assert.equal(started.stages[0]!.dueAt, new Date(awareAt + 72 * HOUR).toISOString());
      assert.equal(started.stages[0]!.state, 'running');

      await env.sleep(36 * HOUR);
      const half = (await incident.status()).clocks[0]!.stages[0]!;
      assert.deepEqual(half.alarms, ['used-50']);

      await env.sleep(33 * HOUR + 10_000); // just past 1 h before the deadline (aware + 71 h)
      const near = (await incident.status()).clocks[0]!.stages[0]!;
      assert.deepEqual(near.alarms, ['used-50', 'used-75', 'used-90', 'left-1h', 'near']);
      assert.equal(near.atRisk, true);

      await env.sleep(4 * HOUR);
      const s = await incident.status();
      const stage = s.clocks[0]!.stages[0]!;
      assert.equal(stage.missed, true);
      assert.equal(stage.state, 'late');
      assert.equal(stage.lateByMs, Date.parse(stage.submittedAt!) - Date.parse(stage.dueAt!));
      assert.equal(sent.length, 1);
      assert.ok(Math.abs(stage.lateByMs! - 2 * HOUR) < 60_000, `late by ${stage.lateByMs}`);
      assert.equal(s.clocks[0]!.state, 'stopped');

      const events = s.timeline.filter((t) => t.event.startsWith('clock.'));
      assert.deepEqual(
        events.map((t) => t.event),
        ['clock.started', 'clock.reminder', 'clock.reminder', 'clock.reminder', 'clock.reminder', 'clock.escalated', 'clock.missed', 'clock.escalated', 'clock.stopped'],
      );
      const reminderTimes = events.filter((t) => t.event === 'clock.reminder').map((t) => Date.parse(t.at) - awareAt);
      const expected = [36 * HOUR, 54 * HOUR, 64.8 * HOUR, 71 * HOUR];
      reminderTimes.forEach((ms, i) => assert.ok(Math.abs(ms - expected[i]!) < 2000, `reminder ${i} at +${ms}ms`));
      const missed = events.find((t) => t.event === 'clock.missed')!;
      assert.ok(Math.abs(Date.parse(missed.at) - (awareAt + 72 * HOUR)) < 2000);
    });
  });

  it('records who stated the awareness time, and a stop with a reason ends the duty without a submission', async () => {
    const runbook = {
      id: 'gdpr-not-notifiable',
      version: 1,
      title: 'GDPR not notifiable',
      roles: { privacy: ['dpo'] },
      steps: [
        { id: 'aware-at', input: { ask: 'When did we become aware?', type: 'timestamp', role: 'privacy' } },
        { id: 'start-gdpr', clock: { start: 'gdpr-art33-sa', at: '{{answers.aware-at}}' } },
        { id: 'assess', wait: '2h' },
        { id: 'not-notifiable', clock: { stop: 'gdpr-art33-sa', reason: 'not notifiable: risk assessment attached' } },
      ],
    };
    await withIncident(env, runbook, clockActivities(), async (incident) => {
      await until(incident, (s) => s.steps.find((step) => step.id === 'aware-at' && step.state === 'waiting'));
      const awareAt = new Date((await env.currentTimeMs()) - 3 * HOUR).toISOString();
      await env.client.workflow.getHandle(incident.id).executeUpdate(answerUpdate, {
        args: [{ stepId: 'aware-at', value: awareAt, actor: { kind: 'person', id: 'dana', roles: ['dpo'] }, at: new Date().toISOString() }],
      });
      const started = await until(incident, (s) => s.clocks[0]);
      assert.equal(started.startedBy, 'dana');
      assert.equal(Date.parse(started.triggeredAt), Date.parse(awareAt));
      await env.sleep(3 * HOUR);
      const s = await incident.status();
      const clock = s.clocks[0]!;
      assert.equal(clock.state, 'stopped');
      assert.equal(clock.stopReason, 'not notifiable: risk assessment attached');
      assert.equal(clock.stages[0]!.state, 'stopped');
      assert.equal(clock.stages[0]!.submittedAt, undefined);
      assert.ok(s.timeline.some((t) => t.event === 'clock.stopped' && t.stepId === 'not-notifiable'));
      assert.ok(!s.timeline.some((t) => t.event === 'clock.missed'));
    });
  });
});
