import assert from 'node:assert/strict';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { answerUpdate, statusQuery } from '../../workflows/incident/definitions';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';

const EventType = temporal.api.enums.v1.EventType;
const RUNBOOKS = path.join(__dirname, '..', 'fixtures', 'runbooks', 'add-runbook');
const PEOPLE = [
  { id: 'ines', roles: ['incident-commander'] },
  { id: 'lee', roles: ['legal'] },
  { id: 'sam', roles: ['security-oncall'] },
  { id: 'fred', roles: ['finance'] },
];

const token = (person: string) => `token-${person}`;
const stepState = (s: IncidentStatus, id: string) => s.steps.find((step) => step.id === id)?.state;

describe('a runbook added to an incident under way', function () {
  this.timeout(120_000);
  let fb: FirebreakUnderTest;

  async function status(id: string): Promise<IncidentStatus> {
    const answer = await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  }

  async function declaredAndWaiting(): Promise<string> {
    const declared = await fb.api('POST', '/v1/incidents', { title: 'Suspicious logins', runbook: 'held-for-approval' }, token('ines'));
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    const id = declared.body.incidentId as string;
    await eventually(async () => (stepState(await status(id), 'approve-notice') === 'waiting' ? true : undefined), 20_000, 'approval waiting');
    return id;
  }

  async function updatesAccepted(id: string): Promise<number> {
    const history = await fb.client.workflow.getHandle(id).fetchHistory();
    return (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).length;
  }

  before(async () => {
    fb = await FirebreakUnderTest.start({ people: PEOPLE, env: { FIREBREAK_RUNBOOKS_DIR: RUNBOOKS } });
  });
  after(async () => fb?.stop());

  it('runs the added runbook as a child, and the incident completes only once both runbooks have finished', async () => {
    const id = await declaredAndWaiting();
    const added = await fb.api('POST', `/v1/incidents/${id}/runbooks`, { runbook: 'extra-checks', reason: 'check the other tenants too' }, token('ines'));
    assert.equal(added.status, 202, JSON.stringify(added.body));
    assert.deepEqual(added.body, { started: true, childId: `${id}/run-extra-checks` });

    const childId = `${id}/run-extra-checks`;
    const child = fb.client.workflow.getHandle(childId);
    await eventually(async () => {
      const s = await child.query(statusQuery);
      return stepState(s, 'check') === 'done' && stepState(s, 'checked') === 'waiting' ? true : undefined;
    }, 20_000, 'the added runbook to run its action and wait');

    const during = await status(id);
    assert.equal(stepState(during, 'run-extra-checks'), 'running');
    assert.equal(during.steps.find((s) => s.id === 'run-extra-checks')!.kind, 'runbook');
    const entry = during.timeline.find((t) => t.event === 'runbook.added');
    assert.ok(entry, 'timeline has runbook.added');
    assert.equal(entry.actor, 'ines');
    assert.equal(entry.stepId, 'run-extra-checks');

    // The main runbook finishes first; the incident stays open for the added one.
    const approved = await fb.api('POST', `/v1/incidents/${id}/steps/approve-notice/approve`, { reason: 'notice is right' }, token('lee'));
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await eventually(async () => (stepState(await status(id), 'after-approval') === 'done' ? true : undefined), 20_000, 'main runbook done');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const mainDone = await status(id);
    assert.equal(mainDone.phase, 'running');
    assert.equal(stepState(mainDone, 'run-extra-checks'), 'running');

    await child.executeUpdate(answerUpdate, { args: [{ stepId: 'checked', value: true, actor: { kind: 'person', id: 'sam', roles: ['security-oncall'] }, at: new Date().toISOString() }] });
    const final = (await fb.client.workflow.getHandle(id).result()) as IncidentStatus;
    assert.equal(final.phase, 'completed');
    assert.equal(stepState(final, 'run-extra-checks'), 'done');
    const events = final.timeline.map((t) => `${t.event}${t.stepId ? `:${t.stepId}` : ''}`);
    assert.ok(events.indexOf('runbook.added:run-extra-checks') < events.indexOf('step.done:run-extra-checks'));
    assert.ok(events.indexOf('step.done:run-extra-checks') < events.indexOf('incident.completed'));
  });

  it('refuses a person without a role of the runbook (403) and records nothing', async () => {
    const id = await declaredAndWaiting();
    const before = await updatesAccepted(id);
    const refused = await fb.api('POST', `/v1/incidents/${id}/runbooks`, { runbook: 'extra-checks' }, token('fred'));
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.error, 'approval.not_permitted');
    assert.equal(await updatesAccepted(id), before);
    const s = await status(id);
    assert.ok(!s.steps.some((step) => step.id === 'run-extra-checks'));
    assert.ok(!s.timeline.some((t) => t.event === 'runbook.added'));
  });

  it('refuses a runbook already running in the incident (409), and an unknown runbook (400)', async () => {
    const id = await declaredAndWaiting();
    const first = await fb.api('POST', `/v1/incidents/${id}/runbooks`, { runbook: 'extra-checks' }, token('sam'));
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const again = await fb.api('POST', `/v1/incidents/${id}/runbooks`, { runbook: 'extra-checks' }, token('ines'));
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.equal(again.body.error, 'runbook.already_running');
    const main = await fb.api('POST', `/v1/incidents/${id}/runbooks`, { runbook: 'held-for-approval' }, token('ines'));
    assert.equal(main.status, 409, JSON.stringify(main.body));
    assert.equal(main.body.error, 'runbook.already_running');
    const unknown = await fb.api('POST', `/v1/incidents/${id}/runbooks`, { runbook: 'no-such-runbook' }, token('ines'));
    assert.equal(unknown.status, 400, JSON.stringify(unknown.body));
    assert.equal(unknown.body.error, 'runbook.not_found');
    const s = await status(id);
    assert.equal(s.timeline.filter((t) => t.event === 'runbook.added').length, 1);

    // Abort cancels the added runbook with the incident.
    const aborted = await fb.api('POST', `/v1/incidents/${id}/abort`, { reason: 'drill over' }, token('ines'));
    assert.equal(aborted.status, 200, JSON.stringify(aborted.body));
    const final = (await fb.client.workflow.getHandle(id).result()) as IncidentStatus;
    assert.equal(final.phase, 'aborted');
    assert.equal(stepState(final, 'run-extra-checks'), 'failed');
  });
});
