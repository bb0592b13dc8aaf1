import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { messageIdFor } from '../../activities/email/message-id';
import type { IncidentStatus } from '../../workflows/incident/state';
import { eventually, FirebreakUnderTest } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

const RUNBOOK = `
id: escalation-drill
version: 1
title: Escalation drill
roles:
  respond: [security-oncall]
  approve-disclosure: [legal]
  incident-commander: [incident-commander]
steps:
  - id: scope
    input: { ask: How many hosts are affected?, type: number, role: respond, timeout: 2s, escalate: incident-commander }
  - id: approve-notice
    approval: { role: approve-disclosure, timeout: 2s, escalate: incident-commander }
`;

describe('escalation without Slack', function () {
  this.timeout(120_000);
  let fb: FirebreakUnderTest;

  before(async () => {
    const runbooks = tempDir('escalation-runbooks');
    writeFileSync(path.join(runbooks, 'escalation-drill.yaml'), RUNBOOK);
    fb = await FirebreakUnderTest.start({
      env: { FIREBREAK_RUNBOOKS_DIR: runbooks },
      people: [
        { id: 'ines', roles: ['incident-commander'] },
        { id: 'sam', roles: ['security-oncall'] },
      ],
      config: { contacts: { 'incident-commander': 'ic-rota@example.com' } },
    });
  });
  after(async () => fb?.stop());

  const outbox = (): string[] =>
    readdirSync(path.join(fb.dataDir, 'outbox'))
      .filter((f) => f.endsWith('.eml'))
      .map((f) => readFileSync(path.join(fb.dataDir, 'outbox', f), 'utf8'));

  it('emails the escalation role once per escalation, and the incident commander answers and decides as a recorded override', async () => {
    const declared = await fb.api<{ incidentId: string }>('POST', '/v1/incidents', { title: 'Escalation drill', runbook: 'escalation-drill', severity: 'high' }, 'token-sam');
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    const id = declared.body.incidentId;

    const mails = await eventually(async () => {
      const found = outbox().filter((m) => m.includes(id) && m.includes('ic-rota@example.com'));
      return found.length >= 1 ? found : undefined;
    }, 30_000, 'the escalation email');
    assert.equal(mails.length, 1, 'one email for one escalation');
    assert.match(mails[0]!, new RegExp(`Message-ID: ${messageIdFor(`${id}/scope/escalation/incident-commander`).replace(/[<>]/g, '.')}`, 'i'));

    // The commander does not hold `respond`: a plain answer is refused and says an override exists; an override needs a reason.
    const plain = await fb.api('POST', `/v1/incidents/${id}/steps/scope/answer`, { value: 3 }, 'token-ines');
    assert.equal(plain.status, 403);
    assert.match(JSON.stringify(plain.body), /override/);
    const noReason = await fb.api('POST', `/v1/incidents/${id}/steps/scope/answer`, { value: 3, override: true }, 'token-ines');
    assert.equal(noReason.status, 400, JSON.stringify(noReason.body));
    const notCommander = await fb.api('POST', `/v1/incidents/${id}/steps/scope/answer`, { value: 3, override: true, reason: 'me' }, 'token-sam');
    assert.equal(notCommander.status, 403, 'only the incident commander overrides');
    const overridden = await fb.api('POST', `/v1/incidents/${id}/steps/scope/answer`, { value: 3, override: true, reason: 'on-call unreachable; counted from the EDR console' }, 'token-ines');
    assert.equal(overridden.status, 200, JSON.stringify(overridden.body));
    // The approval escalates in its turn (one more email), and the commander overrides it too: it belongs to legal.
    await eventually(async () => (outbox().filter((m) => m.includes(id)).length === 2 ? true : undefined), 30_000, 'the approval escalation email');
    const approval = await eventually(async () => {
      const s = (await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`)).body;
      return s.approvals.find((a) => a.stepId === 'approve-notice');
    }, 20_000, 'the approval waiting');
    const decided = await fb.api('POST', `/v1/incidents/${id}/steps/approve-notice/approve`, { reason: 'legal unreachable at night', override: true, draftSha256: approval.draftSha256 }, 'token-ines');
    assert.equal(decided.status, 200, JSON.stringify(decided.body));

    const done = (await fb.client.workflow.getHandle(id).result()) as IncidentStatus;
    assert.equal(done.phase, 'completed');
    const decision = done.approvals.find((a) => a.stepId === 'approve-notice')!.decisions[0]!;
    assert.deepEqual([decision.by, decision.override, decision.reason], ['ines', true, 'legal unreachable at night']);
    assert.ok(done.timeline.some((t) => t.event === 'approval.approve' && t.facts?.override === 'true' && t.detail?.includes('override')));
    assert.ok(done.timeline.some((t) => t.event === 'input.answered' && t.actor === 'ines' && t.facts?.override === 'true' && t.detail?.includes('EDR console')));
    assert.equal(outbox().filter((m) => m.includes(id)).length, 2, 'one email per escalation: the question and the approval');
  });
});
