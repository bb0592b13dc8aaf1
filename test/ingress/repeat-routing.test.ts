import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eventually, FirebreakUnderTest } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

/** Matches every alert and closes a few seconds after it opens. */
const HOLDS_BRIEFLY = `
id: holds-briefly
version: 1
title: Hold a few seconds, then close
match: 'true'
steps:
  - id: hold
    wait: 8s
`;

type Line = { incidentId?: string; outcome: string; runbook?: string };
const lineOf = (body: Record<string, unknown>): Line => (body.incidents as Line[])[0]!;

describe('a repeat of a running incident is not routed again', function () {
  this.timeout(120_000);
  let fb: FirebreakUnderTest;
  let runbook: string;

  before(async () => {
    const runbooks = tempDir('repeat-routing-runbooks');
    runbook = path.join(runbooks, 'holds-briefly.yaml');
    writeFileSync(runbook, HOLDS_BRIEFLY);
    fb = await FirebreakUnderTest.start({ env: { FIREBREAK_RUNBOOKS_DIR: runbooks } });
  });
  after(async () => fb?.stop());

  it('joins while its incident runs though no runbook routes it any more; once the incident closed, it is routed (and refused: none matches)', async () => {
    const fingerprint = `repeat-routing-${randomUUID()}`;
    const first = await fb.sendAlert({ title: 'disk full', fingerprint });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const opened = lineOf(first.body);
    assert.deepEqual([opened.outcome, opened.runbook], ['signalled', 'holds-briefly']);

    // The library loses its only runbook; the catalog notices within a second.
    unlinkSync(runbook);
    await eventually(async () => ((await fb.sendAlert({ title: 'another', fingerprint: `other-${randomUUID()}` })).status === 422 ? true : undefined), 10_000, 'a new alert refused with no runbook');

    const repeat = await fb.sendAlert({ title: 'disk full', fingerprint });
    assert.equal(repeat.status, 202, JSON.stringify(repeat.body));
    assert.deepEqual(lineOf(repeat.body), { outcome: 'signalled', incidentId: opened.incidentId });
    const status = await fb.until(opened.incidentId!, 'the repeat counted', (s) => s.alerts.count === 2);
    assert.equal(status.alerts.count, 2);

    await eventually(async () => ((await fb.client.workflow.getHandle(opened.incidentId!).describe()).status.name === 'COMPLETED' ? true : undefined), 60_000, 'the incident closed');
    // This process last saw the incident running: the alert is tried as a repeat first, finds it closed, and would
    // open a successor, which needs a runbook.
    const afterClose = await fb.sendAlert({ title: 'disk full', fingerprint, occurredAt: new Date(Date.now() + 1000).toISOString() });
    assert.equal(afterClose.status, 422, JSON.stringify(afterClose.body));
    assert.equal(afterClose.body.error, 'alert.no_runbook');
  });
});
