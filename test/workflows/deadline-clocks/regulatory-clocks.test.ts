import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCalendars } from '../../../obligations/calendars/business-calendar';
import { computeStages } from '../../../obligations/deadlines';
import { loadCatalogueFile } from '../../../obligations/load';
import { answerUpdate } from '../../../workflows/incident/messages';
import { HOUR, clockActivities, startTimeSkipping, until, withIncident } from './harness';

/*
 * Due times are hand-computed (see obligations/README.md "Counting choices"); the workflow must carry exactly what
 * the arithmetic says, and stops must be judged against it.
 */

const clockOnly = (id: string, clock: Record<string, unknown>, after: Record<string, unknown>[] = []) => ({
  id,
  version: 1,
  title: id,
  roles: { privacy: ['dpo'] },
  steps: [{ id: 'start', clock }, ...after],
});

describe('regulatory clocks in an incident (time-skipping)', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTimeSkipping();
  });
  after(async () => env?.teardown());

  it('SEC 8-K: a Wednesday determination skips Thanksgiving and the weekend (due Wed 2 Dec 17:30 ET) and a notice filed before then is on time', async () => {
    const runbook = clockOnly('sec', { start: 'sec-8k-105', at: '2026-11-25T10:00:00-05:00' }, [
      { id: 'draft', wait: '5d' },
      { id: 'file-8k', action: 'noop', stops: 'sec-8k-105' },
    ]);
    await withIncident(env, runbook, clockActivities(), async (incident) => {
      assert.equal((await until(incident, (s) => s.clocks[0])).stages[0]!.dueAt, '2026-12-02T22:30:00.000Z');
      await env.sleep(5 * 24 * HOUR + 60_000);
      const stage = (await incident.status()).clocks[0]!.stages[0]!;
      assert.equal(stage.state, 'on-time');
      assert.equal(stage.spareMs, Date.parse('2026-12-02T22:30:00.000Z') - Date.parse(stage.submittedAt!));
    });
  });

  it('SEC 8-K: a Friday-evening determination counts Monday to Thursday (due Thu 10 Dec 17:30 ET)', async () => {
    await withIncident(env, clockOnly('sec-friday', { start: 'sec-8k-105', at: '2026-12-04T19:00:00-05:00' }), clockActivities(), async (incident) => {
      const clock = await until(incident, (s) => s.clocks[0]);
      assert.equal(clock.stages[0]!.dueAt, '2026-12-10T22:30:00.000Z');
      assert.equal(clock.state, 'running');
    });
  });

  it('NIS2: a late notification moves the final report to one month after its actual submission', async () => {
    // Awareness at the next 19:00Z (20:00 Brussels), at least an hour ahead: the 72 h deadline and the late
    // notification 8 h after it then fall on different Brussels days whatever time the test runs.
    const t0 = await env.currentTimeMs();
    const day = 24 * HOUR;
    const aware = Math.floor((t0 + HOUR) / day) * day + 19 * HOUR + (t0 + HOUR > Math.floor((t0 + HOUR) / day) * day + 19 * HOUR ? day : 0);
    const awareAt = new Date(aware).toISOString();
    const runbook = clockOnly('nis2', { start: 'nis2-art23', at: awareAt }, [
      { id: 'triage', wait: `${Math.round((aware + 20 * HOUR - t0) / 1000)}s` },
      { id: 'early-warning', action: 'noop', stops: 'nis2-art23' },
      { id: 'assess', wait: '60h' },
      { id: 'notification', action: 'noop', stops: 'nis2-art23' },
    ]);
    await withIncident(env, runbook, clockActivities(), async (incident) => {
      const projected = await until(incident, (s) => s.clocks[0]?.stages.find((stage) => stage.stageId === 'final-report'));
      assert.equal(projected.state, 'projected');
      await env.sleep(aware + 81 * HOUR - t0);
      const clock = (await incident.status()).clocks[0]!;
      const [early, notification, final] = clock.stages;
      assert.equal(early!.state, 'on-time');
      assert.equal(notification!.state, 'late');
      assert.ok(Math.abs(notification!.lateByMs! - 8 * HOUR) < 60_000, `late by ${notification!.lateByMs}`);
      assert.equal(final!.state, 'running');
      const catalogue = loadCatalogueFile();
      const expected = computeStages(catalogue.obligations.find((o) => o.id === 'nis2-art23')!, { at: awareAt }, {
        calendars: createCalendars(catalogue.calendars),
        submissions: { 'early-warning': early!.submittedAt!, notification: notification!.submittedAt! },
      }).find((s) => s.stageId === 'final-report')!;
      assert.equal(expected.kind, 'deadline');
      assert.equal(final!.dueAt, expected.kind === 'deadline' ? expected.dueAt : undefined);
      assert.ok(Date.parse(final!.dueAt!) > Date.parse(projected.dueAt!), 'the late notification pushed the final report later');
      assert.equal(final!.startsAt, notification!.submittedAt);
      assert.ok((await incident.status()).timeline.some((t) => t.event === 'clock.recomputed'));
    });
  });

  for (const [entityType, initialDue, strict] of [
    ['payment-institution', '2026-11-30T11:00:00.000Z', '2026-11-28T13:00:00.000Z'],
    ['credit-institution', '2026-11-28T13:00:00.000Z', undefined],
  ] as const) {
    it(`DORA: an initial report due on a Saturday ${strict ? 'moves to Monday noon local' : 'stays on Saturday'} for a ${entityType}`, async () => {
      const clock = {
        start: 'dora-art19',
        at: '2026-11-28T10:00:00+01:00',
        anchors: { awareness: '2026-11-28T08:00:00+01:00' },
        facts: { entityType, nis2Designated: false, memberState: 'DE' },
      };
      await withIncident(env, clockOnly(`dora-${entityType}`, clock), clockActivities(), async (incident) => {
        const initial = (await until(incident, (s) => s.clocks[0])).stages.find((s) => s.stageId === 'initial')!;
        assert.equal(initial.dueAt, initialDue);
        assert.equal(initial.strictDueAt, strict);
      });
    });
  }

  it('HIPAA: the people count answered in the incident decides between contemporaneous HHS notice and the annual log, and media notice needs more than 500 in one state', async () => {
    const runbook = {
      id: 'hipaa',
      version: 1,
      title: 'hipaa',
      roles: { privacy: ['dpo'] },
      steps: [
        { id: 'phi-people', input: { ask: 'How many?', type: 'number', role: 'privacy' } },
        { id: 'one-state', input: { ask: 'Most in one state?', type: 'number', role: 'privacy' } },
        {
          id: 'start-hipaa',
          clock: {
            start: ['hipaa-hhs', 'hipaa-media', 'hipaa-individuals'],
            at: '2027-01-20T15:00:00-05:00',
            facts: { individualsAffected: '{{answers.phi-people}}', maxResidentsInOneState: '{{answers.one-state}}' },
          },
        },
      ],
    };
    for (const [people, oneState, hhs, media] of [
      [499, 499, ['not-applicable', 'running'], 'not-applicable'],
      [500, 501, ['running', 'not-applicable'], 'running'],
    ] as const) {
      await withIncident(env, runbook, clockActivities(), async (incident) => {
        const handle = env.client.workflow.getHandle(incident.id);
        const actor = { kind: 'person' as const, id: 'dana', roles: ['dpo'] };
        await handle.executeUpdate(answerUpdate, { args: [{ stepId: 'phi-people', value: people, actor, at: new Date().toISOString() }] });
        await handle.executeUpdate(answerUpdate, { args: [{ stepId: 'one-state', value: oneState, actor, at: new Date().toISOString() }] });
        const clocks = await until(incident, (s) => (s.clocks.length === 3 ? s.clocks : undefined));
        assert.deepEqual(clocks.find((c) => c.id === 'hipaa-hhs')!.stages.map((s) => s.state), hhs);
        assert.equal(clocks.find((c) => c.id === 'hipaa-media')!.stages[0]!.state, media);
        assert.equal(clocks.find((c) => c.id === 'hipaa-media')!.state, media === 'running' ? 'running' : 'stopped');
        assert.deepEqual(clocks.find((c) => c.id === 'hipaa-hhs')!.facts, { individualsAffected: people, maxResidentsInOneState: oneState });
      });
    }
  });

  it('DST: a 60-day HIPAA clock across the US spring change ends at midnight EDT (03:59:59.999Z), a 72 h GDPR clock across the EU change stays 72 h in UTC', async () => {
    const runbook = {
      id: 'dst',
      version: 1,
      title: 'dst',
      steps: [
        { id: 'hipaa', clock: { start: 'hipaa-individuals', at: '2027-01-20T15:00:00-05:00' } },
        { id: 'gdpr', clock: { start: 'gdpr-art33-sa', at: '2027-03-27T10:00:00+01:00' } },
      ],
    };
    await withIncident(env, runbook, clockActivities(), async (incident) => {
      const clocks = await until(incident, (s) => (s.clocks.length === 2 ? s.clocks : undefined));
      assert.equal(clocks.find((c) => c.id === 'hipaa-individuals')!.stages[0]!.dueAt, '2027-03-22T03:59:59.999Z');
      assert.equal(clocks.find((c) => c.id === 'gdpr-art33-sa')!.stages[0]!.dueAt, '2027-03-30T09:00:00.000Z');
    });
  });
});
