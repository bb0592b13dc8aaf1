import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { eventually, FirebreakUnderTest } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

const CLOSES_AT_ONCE = `
id: close-at-once
version: 1
title: Keep the alert and close
match: 'true'
steps:
  - id: preserve-alert
    action: evidence.capture
    with: { name: alert.json, from: alert }
`;

describe('alerts arriving while their incident closes', function () {
  this.timeout(180_000);
  let fb: FirebreakUnderTest;

  before(async () => {
    const runbooks = tempDir('race-runbooks');
    writeFileSync(path.join(runbooks, 'close-at-once.yaml'), CLOSES_AT_ONCE);
    fb = await FirebreakUnderTest.start({ env: { FIREBREAK_RUNBOOKS_DIR: runbooks } });
  });
  after(async () => fb?.stop());

  it('each alert joins the closing incident or reaches a successor or is acknowledged after close: never two, never none', async () => {
    const fingerprint = `race-${randomUUID()}`;
    const t0 = Date.now();
    const alert = (i: number) => ({ title: 'race', fingerprint, occurredAt: new Date(t0 + i).toISOString() });
    const first = await fb.sendAlert(alert(0));
    assert.equal(first.status, 202);
    const total = 60;
    // Spread over six seconds, past the moment the runbook finishes, so some land before, during and after the close.
    const answers = await Promise.all(
      Array.from({ length: total - 1 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 100));
        return fb.sendAlert(alert(i + 1));
      }),
    );
    type Line = { incidentId?: string; outcome: string };
    const all = [first, ...answers].map((a) => {
      assert.equal(a.status, 202, JSON.stringify(a.body));
      const lines = a.body.incidents as Line[];
      assert.equal(lines.length, 1);
      assert.ok(lines[0]!.incidentId, JSON.stringify(lines));
      return lines[0]!;
    });
    const ids = [...new Set(all.filter((l) => l.outcome !== 'after_close').map((l) => l.incidentId!))];
    const afterClose = all.filter((l) => l.outcome === 'after_close').length;
    const counted = await eventually(async () => {
      let sum = 0;
      for (const id of ids) {
        const info = await fb.client.workflow.getHandle(id).describe();
        if (info.status.name === 'RUNNING') return undefined;
        sum += (await fb.client.workflow.getHandle(id).result()).alerts.count;
      }
      return sum;
    }, 60_000, 'every incident of the fingerprint closed');
    console.log(`    ${total} alerts: ${ids.length} incident(s), ${counted} counted on them, ${afterClose} acknowledged after close`);
    assert.equal(counted + afterClose, total, 'every alert is on exactly one incident or acknowledged after close');
    for (const id of ids) {
      let runs = 0;
      for await (const _ of fb.client.workflow.list({ query: `WorkflowId = '${id}'` })) runs += 1;
      assert.equal(runs, 1, `${id} ran once`);
    }
  });
});
