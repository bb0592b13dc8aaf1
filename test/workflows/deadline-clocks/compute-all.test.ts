import assert from 'node:assert/strict';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createComputeAllDeadlines, createComputeDeadlines } from '../../../activities/deadlines/compute';
import { answerUpdate } from '../../../workflows/incident/definitions';
import { RELEASE_PATCH } from '../../../workflows/release';
import { HOUR, clockActivities, startTimeSkipping, until, withIncident } from './harness';

/*
 * Incidents started on release incident-2026-12 ask for all of a step's clocks in one `deadlines.compute-all` local
 * activity and record one patch marker instead of one per earlier patch. The clocks must be exactly those
 * `deadlines.compute` gives for each obligation alone, and a refusal must fail the step as before.
 */

const OBLIGATIONS = ['gdpr-art33-sa', 'ukgdpr-art33-ico', 'uk-pecr-5a'];

function patchIds(events: temporal.api.history.v1.IHistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id] : [];
  });
}

/** The activity type of each local activity the history records (the timeline's `incident.publish` goes as one too). */
function localActivities(events: temporal.api.history.v1.IHistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? e.markerRecordedEventAttributes.details?.['data']?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString()) as { activity_type: string }).activity_type] : [];
  });
}

describe('deadlines.compute-all', function () {
  this.timeout(120_000);

  it('answers each request as deadlines.compute does, in order, up to the first refusal, which it names with its type', async () => {
    const one = createComputeDeadlines();
    const all = createComputeAllDeadlines(one);
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const answer = await all({ requests: [{ obligationId: 'gdpr-art33-sa', at }, { obligationId: 'no-such-duty', at }, { obligationId: 'uk-pecr-5a', at }] });
    assert.deepEqual(answer.computed, [await one({ obligationId: 'gdpr-art33-sa', at })]);
    assert.equal(answer.refused?.obligationId, 'no-such-duty');
    assert.equal(answer.refused?.type, 'deadline.unknown_obligation');
    assert.match(answer.refused?.message ?? '', /no-such-duty/);
    const bad = await all({ requests: [{ obligationId: 'gdpr-art33-sa', at: at.slice(0, 16).replace('T', ' ') }] });
    assert.deepEqual([bad.computed.length, bad.refused?.type], [0, 'deadline.invalid_input']);
  });

  describe('in an incident (time-skipping)', () => {
    let env: TestWorkflowEnvironment;
    before(async () => {
      env = await startTimeSkipping();
    });
    after(async () => env?.teardown());

    it('starts three clocks from one local activity, due when deadlines.compute says, with one patch marker in the history', async () => {
      const awareAt = new Date((await env.currentTimeMs()) - HOUR).toISOString();
      const runbook = { id: 'three-clocks', version: 1, title: 'three clocks', steps: [{ id: 'start', clock: { start: OBLIGATIONS, at: awareAt } }, { id: 'hold', wait: '1d' }] };
      await withIncident(env, runbook, clockActivities(), async (incident) => {
        const clocks = await until(incident, (s) => (s.steps.find((step) => step.id === 'start')?.state === 'done' ? s.clocks : undefined));
        const alone = createComputeDeadlines();
        for (const [index, obligationId] of OBLIGATIONS.entries()) {
          const expected = await alone({ obligationId, at: awareAt });
          assert.equal(clocks[index]!.id, obligationId);
          assert.equal(clocks[index]!.state, 'running');
          assert.deepEqual(clocks[index]!.stages.map((s) => s.dueAt), expected.stages.map((s) => s.dueAt));
        }
        const events = (await env.client.workflow.getHandle(incident.id).fetchHistory()).events ?? [];
        assert.deepEqual(patchIds(events), [RELEASE_PATCH]);
        assert.deepEqual(localActivities(events).filter((type) => type.startsWith('deadlines.')), ['deadlines.compute-all']);
        assert.deepEqual(events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []).filter((name) => name.startsWith('deadlines.')), []);
      });
    });

    it('fails the step with the refusal type when the stated time cannot be read, and starts no clock', async () => {
      const runbook = {
        id: 'bad-time',
        version: 1,
        title: 'bad time',
        roles: { respond: ['security-oncall'] },
        steps: [
          { id: 'aware-at', input: { ask: 'When did we become aware?', type: 'text', role: 'respond' } },
          { id: 'start', clock: { start: OBLIGATIONS, at: '{{answers.aware-at}}' } },
        ],
      };
      await withIncident(env, runbook, clockActivities(), async (incident) => {
        await until(incident, (s) => s.pendingInputs[0]);
        const handle = env.client.workflow.getHandle(incident.id);
        await handle.executeUpdate(answerUpdate, { args: [{ stepId: 'aware-at', value: 'yesterday around ten', actor: { kind: 'person', id: 'dana', roles: ['security-oncall'] }, at: new Date().toISOString() }] });
        const status = await until(incident, (s) => (s.phase === 'failed' ? s : undefined));
        const step = status.steps.find((s) => s.id === 'start')!;
        assert.equal(step.state, 'failed');
        assert.equal(step.error?.type, 'deadline.invalid_input');
        assert.deepEqual(status.clocks, []);
      });
    });
  });
});
