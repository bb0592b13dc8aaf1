import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { HOUR, clockActivities, startTimeSkipping, travelTo, until, withIncident } from './harness';

/*
 * Incidents on release incident-2026-12b watch all their clocks with one timer loop instead of one per clock. Every
 * clock must still raise each of its alarms once, at its own time, and clocks due together must cost one timer.
 */

const timerEvents = (events: temporal.api.history.v1.IHistoryEvent[], type: temporal.api.enums.v1.EventType): number => events.filter((e) => e.eventType === type).length;

describe('one timer loop for all of an incident’s clocks (time-skipping)', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTimeSkipping();
  });
  after(async () => env?.teardown());

  it('fires both clocks due together from one timer, each clock’s escalation and deadline once', async () => {
    const now = await env.currentTimeMs();
    // 72 h duties of which 71 h have passed: the escalation (1 h left) is due at once, the deadline in an hour.
    const awareAt = new Date(now - 71 * HOUR).toISOString();
    const runbook = { id: 'two-clocks', version: 1, title: 'two clocks', steps: [{ id: 'start', clock: { start: ['gdpr-art33-sa', 'uk-pecr-5a'], at: awareAt } }, { id: 'hold', wait: '1d' }] };
    await withIncident(env, runbook, clockActivities(), async (incident) => {
      const started = await until(incident, (s) => (s.steps.find((step) => step.id === 'hold') ? s : undefined));
      const escalatedAtStart = started.timeline.filter((t) => t.event === 'clock.escalated').map((t) => t.detail!.split(':')[1]!.trim().split('/')[0]);
      assert.deepEqual(escalatedAtStart, ['gdpr-art33-sa', 'uk-pecr-5a']);
      await travelTo(env, now + HOUR + 1000);
      const done = await until(incident, (s) => (s.timeline.filter((t) => t.event === 'clock.missed').length === 2 ? s : undefined));
      const missed = done.timeline.filter((t) => t.event === 'clock.missed');
      assert.deepEqual(missed.map((t) => t.detail!.split('/')[0]), ['gdpr-art33-sa', 'uk-pecr-5a']);
      for (const entry of missed) assert.ok(Date.parse(entry.at) >= now + HOUR - 1000 && Date.parse(entry.at) <= now + HOUR + 60_000, `${entry.detail} at ${entry.at}`);
      const events = (await env.client.workflow.getHandle(incident.id).fetchHistory()).events ?? [];
      // The clocks' one timer and the `hold` step's.
      assert.equal(timerEvents(events, temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_STARTED), 2);
      assert.equal(timerEvents(events, temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_FIRED), 1);
    });
  });

  it('keeps each clock on its own time when a later step starts a clock due later', async () => {
    const now = await env.currentTimeMs();
    const runbook = {
      id: 'clocks-apart',
      version: 1,
      title: 'clocks apart',
      steps: [
        { id: 'first', clock: { start: ['gdpr-art33-sa'], at: new Date(now - 71 * HOUR).toISOString() } },
        { id: 'second', clock: { start: ['uk-pecr-5a'], at: new Date(now - 70 * HOUR).toISOString() } },
        { id: 'hold', wait: '1d' },
      ],
    };
    await withIncident(env, runbook, clockActivities(), async (incident) => {
      await until(incident, (s) => s.steps.find((step) => step.id === 'hold'));
      await travelTo(env, now + 2 * HOUR + 1000);
      const done = await until(incident, (s) => (s.timeline.filter((t) => t.event === 'clock.missed').length === 2 ? s : undefined));
      const alarms = done.timeline.filter((t) => t.event === 'clock.missed' || t.event === 'clock.escalated').map((t) => ({ event: t.event, clock: /(gdpr-art33-sa|uk-pecr-5a)/.exec(t.detail!)![1], at: Date.parse(t.at) - now }));
      const of = (clock: string, event: string) => alarms.filter((a) => a.clock === clock && a.event === event).map((a) => Math.round(a.at / 60_000));
      // Escalated at 1 h left and again when missed; missed once, at the deadline (minutes after the start).
      assert.deepEqual(of('gdpr-art33-sa', 'clock.missed'), [60]);
      assert.deepEqual(of('uk-pecr-5a', 'clock.missed'), [120]);
      assert.deepEqual(of('gdpr-art33-sa', 'clock.escalated'), [0, 60]);
      assert.deepEqual(of('uk-pecr-5a', 'clock.escalated'), [60, 120]);
    });
  });
});
