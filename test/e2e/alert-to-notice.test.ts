import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { simpleParser } from 'mailparser';
import { loadPublicKey, readAuditRecords, verifyAuditLog } from '../../audit';
import type { IncidentStatus } from '../../workflows/incident/state';
import { draftShown } from '../helpers/drafts';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';

const EventType = temporal.api.enums.v1.EventType;

const alert = (title: string, labels: Record<string, string> = {}) => ({ title, severity: 'high', labels: { team: 'payments', ...labels }, description: 'test alert' });

async function status(fb: FirebreakUnderTest, id: string): Promise<IncidentStatus> {
  const answer = await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

async function waitingFor(fb: FirebreakUnderTest, id: string, stepId: string): Promise<IncidentStatus> {
  return eventually(async () => {
    const s = await status(fb, id);
    return s.steps.some((step) => step.id === stepId && step.state === 'waiting') ? s : undefined;
  }, 20_000, `${stepId} waiting`);
}

async function updateEvents(fb: FirebreakUnderTest, id: string): Promise<number> {
  const history = await fb.client.workflow.getHandle(id).fetchHistory();
  return (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).length;
}

describe('a signed alert becomes an incident that ends in a sent notice', function () {
  this.timeout(120_000);
  let fb: FirebreakUnderTest;

  before(async () => {
    fb = await FirebreakUnderTest.start({
      people: [
        { id: 'alice', roles: ['legal'] },
        { id: 'bob', roles: ['legal'] },
        { id: 'carol', roles: ['security-oncall'] },
      ],
    });
  });
  after(async () => fb?.stop());

  it('accepts a signed alert with 202, captures it as hashed evidence and waits for approval', async () => {
    const sent = await fb.sendAlert(alert('Disk full on db-1'));
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const [incident] = sent.body.incidents as { incidentId: string; runbook: string }[];
    assert.match(incident!.incidentId, /^incident\/generic\/[0-9a-f]{32}$/);
    assert.equal(incident!.runbook, 'generic-alert-notice');

    const s = await waitingFor(fb, incident!.incidentId, 'approve-notice');
    const capture = s.steps.find((step) => step.id === 'preserve-alert')!;
    assert.equal(capture.state, 'done');
    const { sha256, evidenceId } = capture.result as { sha256: string; evidenceId: string };
    const stored = path.join(fb.dataDir, 'evidence', 'objects', sha256.slice(0, 2), sha256);
    assert.ok(existsSync(stored), `evidence ${evidenceId} stored at ${stored}`);
    assert.equal(createHash('sha256').update(readFileSync(stored)).digest('hex'), sha256);
    assert.equal(JSON.parse(readFileSync(stored, 'utf8')).title, 'Disk full on db-1');
  });

  it('joins a repeat of the same alert to the open incident instead of opening another', async () => {
    const first = await fb.sendAlert(alert('CPU saturated on api-7'));
    const second = await fb.sendAlert(alert('CPU saturated on api-7'));
    assert.equal(first.status, 202);
    assert.equal(second.status, 202);
    const id = (first.body.incidents as { incidentId: string }[])[0]!.incidentId;
    assert.equal((second.body.incidents as { incidentId: string }[])[0]!.incidentId, id);
    const s = await eventually(async () => {
      const current = await status(fb, id);
      return current.alerts.count === 2 ? current : undefined;
    });
    // Repeats are counted, with when they were first and last seen, not kept as a timeline entry each.
    assert.ok(s.alerts.firstSeenAt && s.alerts.lastSeenAt && s.alerts.firstSeenAt <= s.alerts.lastSeenAt);
    assert.equal(s.timeline.filter((t) => t.event === 'alert.repeated').length, 0);
  });

  it('answers a replayed delivery with 200 and no new effect', async () => {
    const first = await fb.sendAlert(alert('Replay me'), { id: 'msg_replay_1' });
    const replay = await fb.sendAlert(alert('Replay me'), { id: 'msg_replay_1' });
    assert.equal(first.status, 202);
    assert.equal(replay.status, 200);
    assert.equal(replay.body.duplicate, true);
    const id = (first.body.incidents as { incidentId: string }[])[0]!.incidentId;
    assert.equal((await status(fb, id)).alerts.count, 1);
  });

  it('refuses forged, stale, future and tampered deliveries with 401 and starts nothing', async () => {
    const before = (await fb.api<{ incidents: unknown[] }>('GET', '/v1/incidents')).body.incidents.length;
    const forged = await fb.sendAlert(alert('forged'), { secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` });
    const stale = await fb.sendAlert(alert('stale'), { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    const future = await fb.sendAlert(alert('future'), { timestamp: Math.floor(Date.now() / 1000) + 3600 });
    const tampered = await fb.sendAlert(alert('tampered'), { tamper: (raw) => raw.replace('tampered', 'tampereD') });
    const unsigned = await fetch(`${fb.baseUrl}/v1/alerts/generic`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert('unsigned')) });
    assert.deepEqual([forged.status, stale.status, future.status, tampered.status, unsigned.status], [401, 401, 401, 401, 401]);
    assert.deepEqual([forged.body.error, stale.body.error, future.body.error, tampered.body.error], ['auth.bad_signature', 'auth.stale', 'auth.future', 'auth.bad_signature']);
    assert.equal((await fb.api<{ incidents: unknown[] }>('GET', '/v1/incidents')).body.incidents.length, before);
  });

  it('refuses a malformed alert with 400 naming the field', async () => {
    const answer = await fb.sendAlert({ severity: 'urgent', labels: { a: 1 } });
    assert.equal(answer.status, 400);
    const paths = (answer.body.issues as { path: (string | number)[] }[]).map((i) => i.path.join('.'));
    assert.ok(paths.includes('title'), paths.join(','));
    assert.ok(paths.includes('severity'), paths.join(','));
  });

  it('needs an API token for the incident API', async () => {
    assert.equal((await fb.api('GET', '/v1/incidents', undefined, null)).status, 401);
    assert.equal((await fb.api('GET', '/v1/incidents', undefined, 'not-a-token')).status, 401);
  });

  it('never lets the person who declared an incident approve its disclosure', async () => {
    const declared = await fb.api<{ incidentId: string }>('POST', '/v1/incidents', { title: 'Vendor leaked our customer list', runbook: 'generic-alert-notice', severity: 'critical' }, 'token-alice');
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    const id = declared.body.incidentId;
    await waitingFor(fb, id, 'approve-notice');
    const byAlice = await fb.api('POST', `/v1/incidents/${id}/steps/approve-notice/approve`, { reason: 'I declared it' }, 'token-alice');
    assert.equal(byAlice.status, 403);
    assert.equal(byAlice.body.error, 'approval.separation_of_duties');
    assert.equal(await updateEvents(fb, id), 0, 'a refused decision leaves no trace in history');
    const s = await status(fb, id);
    assert.equal(s.approvals[0]!.requestedBy, 'alice');
    assert.deepEqual(s.approvals[0]!.decisions, []);
  });

  it('refuses people without the role, recording nothing, then sends the approved notice exactly once', async () => {
    const sent = await fb.sendAlert(alert('Suspicious export by svc-report'));
    const alertId = (sent.body.incidents as { incidentId: string }[])[0]!.incidentId;
    await waitingFor(fb, alertId, 'approve-notice');
    const alertRoute = `/v1/incidents/${alertId}/steps/approve-notice`;

    const byCarol = await fb.api('POST', `${alertRoute}/approve`, { reason: 'ok' }, 'token-carol');
    assert.equal(byCarol.status, 403);
    assert.equal(byCarol.body.error, 'approval.not_permitted');
    const noReason = await fb.api('POST', `${alertRoute}/approve`, { reason: '  ' }, 'token-bob');
    assert.equal(noReason.status, 400);
    assert.equal(await updateEvents(fb, alertId), 0, 'a refused decision leaves no trace in history');

    const draftSha256 = await draftShown(fb, alertId, 'approve-notice');
    const byBob = await fb.api('POST', `${alertRoute}/approve`, { reason: 'notice text is accurate', draftSha256 }, 'token-bob');
    assert.equal(byBob.status, 200, JSON.stringify(byBob.body));
    assert.equal(byBob.body.stepOutcome, 'approved');
    const again = await fb.api('POST', `${alertRoute}/approve`, { reason: 'double click', draftSha256 }, 'token-bob');
    assert.equal(again.status, 200, 'a double submit gets the first answer');
    const done = await eventually(async () => {
      const s = await status(fb, alertId);
      return s.phase === 'completed' ? s : undefined;
    });
    const notice = done.steps.find((s) => s.id === 'send-notice')!.result as { messageId: string; file: string };
    const mail = await simpleParser(readFileSync(notice.file));
    assert.equal(mail.messageId, notice.messageId);
    assert.equal(mail.subject, '[high] Suspicious export by svc-report');
    assert.deepEqual((Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((t) => t!.value.map((v) => v.address)), ['security-team@localhost']);
    assert.deepEqual(done.approvals[0]!.decisions.map((d) => [d.by, d.reason]), [['bob', 'notice text is accurate']]);
    const outbox = readdirSync(path.join(fb.dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
    const forThisIncident = outbox.filter((f) => readFileSync(path.join(fb.dataDir, 'outbox', f), 'utf8').includes(alertId));
    assert.equal(forThisIncident.length, 1);

    await fb.client.workflow.getHandle(alertId).result(); // closes only after its timeline reached the audit log
    const records = [];
    for await (const record of readAuditRecords(path.join(fb.dataDir, 'audit'), { incidentId: alertId })) records.push(record);
    const actions = records.map((r) => r.action);
    // The ingress records the accepted delivery before the workflow publishes its opening; activities (evidence custody)
    // may record theirs before the workflow's timeline batch arrives, which carries each entry's own time.
    assert.equal(actions[0], 'alert.accepted');
    const opened = records.find((r) => r.action === 'incident.opened')!;
    const collected = records.find((r) => r.action === 'evidence.collected')!;
    assert.ok(Date.parse(String(opened.data.at)) <= Date.parse(collected.at), 'the opening happened before the capture, by its recorded time');
    assert.ok(actions.includes('approval.approve'));
    assert.equal(records.find((r) => r.action === 'approval.approve')!.actor.id, 'bob');
    assert.equal(actions[actions.length - 1], 'incident.completed');
    const publicKey = loadPublicKey(readFileSync(path.join(fb.dataDir, 'audit-checkpoint.pub.pem'), 'utf8'));
    const verification = await verifyAuditLog(path.join(fb.dataDir, 'audit'), publicKey);
    assert.deepEqual(verification.problems, []);
  });
});
