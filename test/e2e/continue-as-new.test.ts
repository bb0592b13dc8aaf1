import assert from 'node:assert/strict';
import path from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { loadPublicKey, readAuditRecords, verifyAuditLog } from '../../audit';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';

describe('a long incident continues as new and keeps everything', function () {
  this.timeout(180_000);

  it('rolls over while waiting for approval, keeping alerts, the pending approval and the audit sequence, then finishes once', async () => {
    const fb = await FirebreakUnderTest.start({ env: { FIREBREAK_HISTORY_EVENT_LIMIT: '60' }, people: [{ id: 'lee', roles: ['legal'] }] });
    try {
      const alert = { title: 'Flapping disk alert', severity: 'high', labels: { host: 'db-9' } };
      const first = await fb.sendAlert(alert);
      const id = (first.body.incidents as { incidentId: string }[])[0]!.incidentId;
      const handle = fb.client.workflow.getHandle(id);
      const status = async () => (await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`)).body;
      const waiting = await eventually(async () => {
        const s = await status();
        return s.steps.some((step) => step.id === 'approve-notice' && step.state === 'waiting') ? s : undefined;
      });
      const firstRun = (await handle.describe()).runId;

      for (let i = 0; i < 30; i++) assert.equal((await fb.sendAlert(alert)).status, 202);
      const rolled = await eventually(async () => {
        const description = await handle.describe();
        return description.runId !== firstRun ? description : undefined;
      }, 60_000, 'a continue-as-new');
      assert.equal(rolled.status.name, 'RUNNING');

      const after = await eventually(async () => {
        const s = await status();
        return s.alerts.count === 31 ? s : undefined;
      }, 60_000, 'every repeat counted across the roll-over');
      const approval = after.approvals.find((a) => a.stepId === 'approve-notice')!;
      assert.equal(approval.requestedAt, waiting.approvals[0]!.requestedAt, 'the same approval request, not a new one');
      assert.equal(after.steps.filter((s) => s.id === 'preserve-alert').length, 1);

      const approved = await fb.api('POST', `/v1/incidents/${id}/steps/approve-notice/approve`, { reason: 'after the roll-over', draftSha256: approval.draftSha256 }, 'token-lee');
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      const done = (await handle.result()) as IncidentStatus;
      assert.equal(done.phase, 'completed');
      assert.equal(readdirSync(path.join(fb.dataDir, 'outbox')).filter((f) => f.endsWith('.eml') && readFileSync(path.join(fb.dataDir, 'outbox', f), 'utf8').includes(id)).length, 1);

      const keys: string[] = [];
      for await (const record of readAuditRecords(path.join(fb.dataDir, 'audit'), { incidentId: id })) keys.push(record.key);
      const timelineKeys = keys.filter((k) => k.includes('/timeline/'));
      assert.equal(new Set(timelineKeys).size, timelineKeys.length);
      assert.equal(timelineKeys.length, done.timeline.length, 'every timeline entry audited exactly once');
      const verification = await verifyAuditLog(path.join(fb.dataDir, 'audit'), loadPublicKey(readFileSync(path.join(fb.dataDir, 'audit-checkpoint.pub.pem'), 'utf8')));
      assert.deepEqual(verification.problems, []);
    } finally {
      await fb.stop();
    }
  });
});
