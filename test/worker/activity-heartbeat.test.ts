import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Activities } from '../../activities';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

const RUNBOOK = `
id: slow-capture
version: 1
title: One slow evidence capture
match: 'alert.source == "generic"'
steps:
  - id: preserve-alert
    action: evidence.capture
    with: { name: alert.json, from: alert }
`;

describe('activity heartbeats', function () {
  this.timeout(120_000);

  it('keep an activity that runs past the 10 s heartbeat timeout alive on its one attempt', async () => {
    const runbooks = tempDir('heartbeat-runbooks');
    writeFileSync(path.join(runbooks, 'slow-capture.yaml'), RUNBOOK);
    const attempts: number[] = [];
    const slow = (real: Activities): Activities => ({
      ...real,
      'evidence.capture': async (request) => {
        attempts.push(Date.now());
        // Longer than the heartbeat timeout: only the worker's own beats keep Temporal from giving the step away.
        await new Promise((r) => setTimeout(r, 14_000));
        return real['evidence.capture'](request);
      },
    });
    const fb = await FirebreakUnderTest.start({ env: { FIREBREAK_RUNBOOKS_DIR: runbooks }, activities: slow });
    try {
      const sent = await fb.sendAlert({ title: 'Slow capture', severity: 'high' });
      const id = (sent.body.incidents as { incidentId: string }[])[0]!.incidentId;
      const done = await eventually(async () => {
        const status = (await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`)).body;
        return status.phase === 'completed' ? status : undefined;
      }, 60_000, 'the incident to complete');
      assert.equal(done.steps.find((s) => s.id === 'preserve-alert')?.state, 'done');
      assert.equal(attempts.length, 1, 'one attempt: the heartbeats kept it');
    } finally {
      await fb.stop();
    }
  });
});
