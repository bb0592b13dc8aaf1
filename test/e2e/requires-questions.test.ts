import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { IncidentStatus } from '../../workflows/incident/state';
import { eventually, FirebreakUnderTest } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

/** Reads alert.labels.user, declared as required: a declared incident without it is asked for it. */
/** Takes a ddos alert without a zone label, and a person supplies it (a choice, as declared). */
const ASKS_ZONE = `
id: scrub-zone
version: 1
title: Scrub a zone
match: 'alert.labels.category == "ddos"'
priority: 10
roles:
  respond: [incident-commander]
requires:
  labels:
    - { label: zone, ask: 'Which zone is under attack?', type: choice, choices: [example.com, example.net], missing: ask }
  config: [contacts.security]
steps:
  - id: approve-scrub
    approval: { role: respond, draft: 'Scrub {{alert.labels.zone}}' }
`;

const RUNBOOK = `
id: suspend-user
version: 1
title: Suspend a user
roles:
  approve-disclosure: [incident-commander]
requires:
  labels:
    - { label: user, ask: 'Which account is compromised?' }
  config: [contacts.security]
steps:
  - id: approve-notice
    approval:
      role: approve-disclosure
      draft: 'Tell {{config.contacts.security}} that {{alert.labels.user}} is suspended'
`;

describe('a value a runbook requires but its incident lacks', function () {
  this.timeout(180_000);
  let fb: FirebreakUnderTest;

  before(async () => {
    const runbooks = tempDir('requires-runbooks');
    writeFileSync(path.join(runbooks, 'suspend-user.yaml'), RUNBOOK);
    writeFileSync(path.join(runbooks, 'scrub-zone.yaml'), ASKS_ZONE);
    fb = await FirebreakUnderTest.start({ env: { FIREBREAK_RUNBOOKS_DIR: runbooks } });
  });
  after(async () => fb?.stop());

  const status = async (id: string) => (await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`)).body;

  it('is asked of a person before the first step, and the answer is the label every step reads', async () => {
    const declared = await fb.api<{ incidentId: string }>('POST', '/v1/incidents', { title: 'Account takeover', runbook: 'suspend-user' });
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    const id = declared.body.incidentId;
    const asking = await eventually(async () => {
      const s = await status(id);
      return s.pendingInputs?.some((p) => p.stepId === 'labels.user') ? s : undefined;
    }, 30_000, 'the question for the user label');
    assert.deepEqual(asking.pendingInputs.map((p) => [p.stepId, p.ask, p.type]), [['labels.user', 'Which account is compromised?', 'text']]);
    assert.equal(asking.phase, 'running', 'waiting for a person, not failed');

    const answered = await fb.api('POST', `/v1/incidents/${id}/steps/labels.user/answer`, { value: 'm.smith' });
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    const approval = await eventually(async () => {
      const s = await status(id);
      return s.approvals?.[0];
    }, 30_000, 'the approval with its draft');
    assert.equal(approval.draft, 'Tell security-team@localhost that m.smith is suspended');
  });

  it('is asked for an alert that left out a label its runbook takes missing: ask, typed as declared', async () => {
    const sent = await fb.sendAlert({ title: 'HTTP flood', severity: 'critical', fingerprint: `flood-${Date.now()}`, labels: { category: 'ddos' } });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const [routed] = sent.body.incidents as { incidentId: string; runbook: string }[];
    assert.equal(routed!.runbook, 'scrub-zone');
    const id = routed!.incidentId;
    const asking = await eventually(async () => (await status(id)).pendingInputs?.find((p) => p.stepId === 'labels.zone'), 30_000, 'the zone question');
    assert.deepEqual([asking.type, asking.choices], ['choice', ['example.com', 'example.net']]);
    const wrong = await fb.api('POST', `/v1/incidents/${id}/steps/labels.zone/answer`, { value: 'example.org' });
    assert.equal(wrong.status, 400, 'only a declared choice');
    assert.equal((await fb.api('POST', `/v1/incidents/${id}/steps/labels.zone/answer`, { value: 'example.net' })).status, 200);
    const approval = await eventually(async () => (await status(id)).approvals?.[0], 30_000, 'the approval');
    assert.equal(approval.draft, 'Scrub example.net');
  });

  it('is not asked when the declaration gives the label', async () => {
    const declared = await fb.api<{ incidentId: string }>('POST', '/v1/incidents', { title: 'Account takeover', runbook: 'suspend-user', labels: { user: 'j.doe' } });
    const approval = await eventually(async () => (await status(declared.body.incidentId)).approvals?.[0], 30_000, 'the approval');
    assert.equal(approval.draft, 'Tell security-team@localhost that j.doe is suspended');
    assert.ok(!(await status(declared.body.incidentId)).steps.some((s) => s.id === 'labels.user'));
  });
});

describe('declaring a shipped runbook on the default config', function () {
  this.timeout(120_000);
  let fb: FirebreakUnderTest;
  before(async () => {
    fb = await FirebreakUnderTest.start();
  });
  after(async () => fb?.stop());

  it('refuses at the start with one message naming every config key to set', async () => {
    const refused = await fb.api<{ error: string; message: string }>('POST', '/v1/incidents', { title: 'Ransomware', runbook: 'ransomware-host', labels: { host: 'wks-042' } });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error, 'runbook.config_missing');
    assert.equal(
      refused.body.message,
      'runbook ransomware-host needs config that is not set: containment.host, containment.network, endpoints.edr, endpoints.edr.secrets.edr-api-token, contacts.nydfs-filer, contacts.sec-counsel; set them in the config file (firebreak config check lists what each runbook needs)',
    );
  });

  it('refuses running it in an incident under way the same way', async () => {
    const declared = await fb.api<{ incidentId: string }>('POST', '/v1/incidents', { title: 'Something', runbook: 'generic-alert-notice' });
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    const refused = await fb.api<{ error: string; message: string }>('POST', `/v1/incidents/${declared.body.incidentId}/runbooks`, { runbook: 'compromised-workload', reason: 'a pod too' });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.message, 'runbook compromised-workload needs config that is not set: vendors.kubernetes; set it in the config file (firebreak config check lists what each runbook needs)');
  });
});
