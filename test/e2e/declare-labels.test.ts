import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { IncidentStatus } from '../../workflows/incident/state';
import { eventually, FirebreakUnderTest } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

/** Written for alerts: it reads alert.labels.user and alert.severity, as the shipped runbooks do. */
const RUNBOOK = `
id: reads-alert-labels
version: 1
title: Reads alert labels
roles:
  approve-disclosure: [incident-commander]
steps:
  - id: check-user
    when: 'alert.labels.user != ""'
    steps:
      - id: approve-notice
        approval:
          role: approve-disclosure
          draft: 'Suspend {{alert.labels.user}} ({{alert.severity}}) from {{alert.source}}'
`;

describe('declaring an incident with labels', function () {
  this.timeout(120_000);
  let fb: FirebreakUnderTest;

  before(async () => {
    const runbooks = tempDir('declare-runbooks');
    writeFileSync(path.join(runbooks, 'reads-alert-labels.yaml'), RUNBOOK);
    fb = await FirebreakUnderTest.start({ env: { FIREBREAK_RUNBOOKS_DIR: runbooks } });
  });
  after(async () => fb?.stop());

  it('gives a runbook written for alerts the labels, severity and source of the declaration, and counts no alert received', async () => {
    const declared = await fb.api<{ incidentId: string }>('POST', '/v1/incidents', { title: 'Account takeover', runbook: 'reads-alert-labels', severity: 'critical', labels: { user: 'm.smith' } });
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    const status = await eventually(async () => {
      const s = (await fb.api<IncidentStatus>('GET', `/v1/incidents/${declared.body.incidentId}`)).body;
      return s.approvals?.length ? s : undefined;
    }, 20_000, 'the approval with its draft');
    assert.equal(status.approvals[0]!.draft, 'Suspend m.smith (critical) from declared');
    assert.equal(status.alerts.count, 0);

    const badLabel = await fb.api('POST', '/v1/incidents', { title: 'x', runbook: 'reads-alert-labels', labels: { 'not a name': 'v' } });
    assert.equal(badLabel.status, 400);
    assert.match(JSON.stringify(badLabel.body), /labels/);
  });
});
