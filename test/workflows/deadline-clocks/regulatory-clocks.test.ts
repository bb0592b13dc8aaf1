import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCalendars } from '../../../obligations/calendars/business-calendar';
import { computeStages } from '../../../obligations/deadlines';
import { loadCatalogueFile } from '../../../obligations/load';
import { answerUpdate } from '../../../workflows/incident/definitions';
import { doraSaturday, fridayEvening, local, nis2LateNotification, springDst, thanksgivingEve, utc } from '../../helpers/calendar-scenarios';
import { HOUR, clockActivities, startTimeSkipping, travelTo, until, withIncident } from './harness';

/*
 * Every scenario is derived from the time-skipping server's current time (test/helpers/calendar-scenarios.ts), which
 * starts at today's date or at FIREBREAK_TEST_TODAY. Expected due times come from luxon and date-holidays there,
 * counted as obligations/README.md "Counting choices" says; the workflow must carry exactly what that arithmetic says,
 * and stops must be judged against it.
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
  // A server per test: each scenario travels forward from today on its own clock, untouched by earlier tests' workflows.
  let env: TestWorkflowEnvironment;
  beforeEach(async () => {
    env = await startTimeSkipping();
  });
  afterEach(async () => env?.teardown());

  it('SEC 8-K: a Wednesday determination skips Thanksgiving and the weekend (due the Wednesday after, 17:30 ET) and a notice filed before then is on time', async () => {
    const { determination, due } = thanksgivingEve(await env.currentTimeMs());
    await travelTo(env, determination.toMillis() + 60_000);
    const runbook = clockOnly('sec', { start: 'sec-8k-105', at: local(determination) }, [
      { id: 'draft', wait: '5d' },
      { id: 'file-8k', action: 'noop', stops: 'sec-8k-105' },
    ]);
    await withIncident(env, runbook, clockActivities(), async (incident) => {
      assert.equal((await until(incident, (s) => s.clocks[0])).stages[0]!.dueAt, utc(due));
      await env.sleep(5 * 24 * HOUR + 60_000);
      const stage = (await incident.status()).clocks[0]!.stages[0]!;
      assert.equal(stage.state, 'on-time');
      assert.equal(stage.spareMs, due.toMillis() - Date.parse(stage.submittedAt!));
    });
  });

  it('SEC 8-K: a Friday-evening determination counts Monday to Thursday (due Thursday 17:30 ET)', async () => {
    const { determination, due } = fridayEvening(await env.currentTimeMs());
    await travelTo(env, determination.toMillis() + 60_000);
    await withIncident(env, clockOnly('sec-friday', { start: 'sec-8k-105', at: local(determination) }), clockActivities(), async (incident) => {
      const clock = await until(incident, (s) => s.clocks[0]);
      assert.equal(clock.stages[0]!.dueAt, utc(due));
      assert.equal(clock.state, 'running');
    });
  });

  it('NIS2: a late notification moves the final report to one month after its actual submission', async () => {
    const t0 = await env.currentTimeMs();
    const aware = nis2LateNotification(t0 + HOUR).toMillis();
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

  for (const [entityType, relieved] of [
    ['payment-institution', true],
    ['credit-institution', false],
  ] as const) {
    it(`DORA: an initial report due on a Saturday ${relieved ? 'moves to Monday noon local' : 'stays on Saturday'} for a ${entityType}`, async () => {
      const saturday = doraSaturday(await env.currentTimeMs());
      await travelTo(env, saturday.classification.toMillis() + 60_000);
      const clock = {
        start: 'dora-art19',
        at: local(saturday.classification),
        anchors: { awareness: local(saturday.awareness) },
        facts: { entityType, nis2Designated: false, memberState: 'DE' },
      };
      await withIncident(env, clockOnly(`dora-${entityType}`, clock), clockActivities(), async (incident) => {
        const initial = (await until(incident, (s) => s.clocks[0])).stages.find((s) => s.stageId === 'initial')!;
        assert.equal(initial.dueAt, utc(relieved ? saturday.relievedDue : saturday.strictDue));
        assert.equal(initial.strictDueAt, relieved ? utc(saturday.strictDue) : undefined);
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
        for (const [stepId, value] of [['phi-people', people], ['one-state', oneState]] as const) {
          await until(incident, (s) => s.steps.find((step) => step.id === stepId && step.state === 'waiting'));
          await handle.executeUpdate(answerUpdate, { args: [{ stepId, value, actor, at: new Date().toISOString() }] });
        }
        const clocks = await until(incident, (s) => (s.clocks.length === 3 ? s.clocks : undefined));
        assert.deepEqual(clocks.find((c) => c.id === 'hipaa-hhs')!.stages.map((s) => s.state), hhs);
        assert.equal(clocks.find((c) => c.id === 'hipaa-media')!.stages[0]!.state, media);
        assert.equal(clocks.find((c) => c.id === 'hipaa-media')!.state, media === 'running' ? 'running' : 'stopped');
        assert.deepEqual(clocks.find((c) => c.id === 'hipaa-hhs')!.facts, { individualsAffected: people, maxResidentsInOneState: oneState });
      });
    }
  });

  it('DST: a 60-day HIPAA clock across the US spring change ends at midnight EDT, a 72 h GDPR clock across the EU change stays 72 h in UTC', async () => {
    const dst = springDst(await env.currentTimeMs());
    await travelTo(env, dst.gdprAwareness.toMillis() + 60_000);
    const runbook = {
      id: 'dst',
      version: 1,
      title: 'dst',
      steps: [
        { id: 'hipaa', clock: { start: 'hipaa-individuals', at: local(dst.hipaaDiscovery) } },
        { id: 'gdpr', clock: { start: 'gdpr-art33-sa', at: local(dst.gdprAwareness) } },
      ],
    };
    await withIncident(env, runbook, clockActivities(), async (incident) => {
      const clocks = await until(incident, (s) => (s.clocks.length === 2 ? s.clocks : undefined));
      const hipaaDue = clocks.find((c) => c.id === 'hipaa-individuals')!.stages[0]!.dueAt!;
      const gdprDue = clocks.find((c) => c.id === 'gdpr-art33-sa')!.stages[0]!.dueAt!;
      assert.equal(hipaaDue, utc(dst.hipaaDue));
      assert.equal(new Date(hipaaDue).getUTCHours(), 3, 'midnight EDT is 03:59:59.999Z, not EST\'s 04:59:59.999Z');
      assert.equal(gdprDue, utc(dst.gdprDue));
      assert.equal(Date.parse(gdprDue) - dst.gdprAwareness.toMillis(), 72 * HOUR);
    });
  });
});
