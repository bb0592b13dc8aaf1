import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { AuditLog, readAuditRecords, verifyAuditLog } from '../../../audit';
import type { AuditRecord } from '../../../audit/record';
import { evaluateConditionActivity } from '../../../activities/conditions/evaluate';
import { createPublishTimeline } from '../../../activities/audit/publish-timeline';
import type { CloseCheckpointRequest } from '../../../workflows/incident/close-checkpoint';
import { statusQuery } from '../../../workflows/incident/definitions';
import { RELEASE_PATCH } from '../../../workflows/release';
import { testKeys } from '../../audit/fixtures/temp-log';
import { tempDir, workflowBundle } from '../../helpers/temporal';
import { clockActivities, incidentInput, pin, startTimeSkipping } from '../deadline-clocks/harness';

/*
 * The audit store down while an incident (on release incident-2026-12, which publishes its timeline as a local activity
 * first) records its first entries, then back: every timeline entry reaches the real audit log once, in order, the log
 * verifies, and the closing checkpoint the workflow posts covers all of it. Time-skipping server, real workflow code.
 */

const runbook = {
  id: 'audit-outage',
  version: 1,
  title: 'Audit outage drill',
  steps: [
    { id: 'first', action: 'noop' },
    { id: 'branch', when: 'true', steps: [{ id: 'yes', action: 'noop' }], otherwise: [] },
    { id: 'last', action: 'noop' },
  ],
};

const EventType = temporal.api.enums.v1.EventType;

describe('an audit outage delays the incident timeline in the audit log but skips nothing', function () {
  this.timeout(180_000);
  const keys = testKeys();
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTimeSkipping();
  });
  after(async () => env?.teardown());

  it('publishes every entry once, in order, after the store comes back; the close checkpoint covers them all', async () => {
    const auditDir = await tempDir('audit-outage');
    const log = AuditLog.open(auditDir, { origin: 'test.firebreak/outage', signingKey: keys.signingKey });
    let down = true;
    let refused = 0;
    const auditLog = async () => {
      if (down) {
        refused++;
        throw new Error('audit store unavailable');
      }
      return log;
    };
    const posted: CloseCheckpointRequest[] = [];
    const activities = {
      ...clockActivities(),
      'conditions.evaluate': evaluateConditionActivity,
      'incident.publish': createPublishTimeline(auditLog),
      'slack.postCheckpoint': async (request: CloseCheckpointRequest) => {
        posted.push(request);
        return { skipped: 'slack.not_configured' as const };
      },
    };
    const taskQueue = `audit-outage-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
    const input = incidentInput(pin(runbook), new Date(await env.currentTimeMs()).toISOString());
    const { status, history } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('incidentWorkflow', { taskQueue, workflowId: input.incidentId, args: [input] });
      // Down until the publish has gone past its local attempts to the activity, and that has been refused too.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        if (refused >= 5 && pending.some((a) => a.activityType?.name === 'incident.publish')) break;
        assert.ok(Date.now() < deadline, 'the publish never went on to the activity after the local attempts');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      down = false;
      await handle.result();
      return { status: await handle.query(statusQuery), history: await handle.fetchHistory() };
    });
    await (await log).close();

    assert.equal(status.phase, 'completed');
    assert.ok(refused >= 5, `the store refused ${refused} attempts (3 local, at least 2 of the activity)`);
    const events = history.events ?? [];
    assert.ok(
      events.some((e) => (e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []).some((p) => Buffer.from(p.data ?? []).toString('utf8').includes(RELEASE_PATCH))),
      'the incident ran on the release',
    );
    assert.ok(
      events.some((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes?.failure),
      'a failed local publish is recorded',
    );

    const records: AuditRecord[] = [];
    for await (const record of readAuditRecords(auditDir, { incidentId: input.incidentId })) records.push(record);
    assert.deepEqual(
      records.map((r) => r.key),
      status.timeline.map((_, position) => `${input.incidentId}/timeline/${position}`),
      'one record per timeline entry, in timeline order',
    );
    assert.deepEqual(
      records.map((r) => r.action),
      status.timeline.map((entry) => entry.event),
    );
    assert.equal(records.at(-1)?.action, 'incident.completed');
    const verified = await verifyAuditLog(auditDir, keys.publicKey);
    assert.ok(verified.ok, JSON.stringify(verified.problems));
    assert.equal(posted.length, 1, 'the close checkpoint was posted');
    assert.equal(posted[0]!.checkpoint.size, records.length, 'the close checkpoint covers every record');
  });
});
