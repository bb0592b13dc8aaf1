import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readAuditRecords } from '../../audit/read';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';

/**
 * Repeats in the storm. The suite runs 5,000 (under a minute on a loaded 2-core machine): enough for several roll-overs
 * while repeats keep arriving, which is what used to fail. FIREBREAK_STORM_REPEATS=50000 runs the figure (about
 * seven minutes here: 397 s of storm at 126/s, 98 runs), kept out of the suite for its time alone.
 */
const REPEATS = Number(process.env.FIREBREAK_STORM_REPEATS ?? 5_000);
/** Deliveries in flight at once, like a sender with a connection pool; each waits up to one coalescing window. */
const CONCURRENCY = Number(process.env.FIREBREAK_STORM_CONCURRENCY ?? 32);
/** Temporal warns at 10,240 events per history and refuses payloads over 2 MB; we hold ourselves to a quarter of that. */
const HISTORY_WARN = 10_240;
const PAYLOAD_BOUND = 512 * 1024;

interface RunFigures {
  runId: string;
  status: string;
  closedAt?: Date;
  events: number;
  signals: number;
  carriedBytes: number;
}

describe('an alert storm on one incident', function () {
  // Bounded: a storm must be absorbed at no less than ~20 repeats/s on a shared, loaded 2-core machine.
  this.timeout(3 * 60_000 + REPEATS * 50);

  it(`absorbs ${REPEATS} repeats over signed HTTP with a pending approval: rolls over during the storm, every history under ${HISTORY_WARN} events, every carried payload under 512 KB, every repeat counted once and audited, one notice after approval`, async () => {
    const fb = await FirebreakUnderTest.start({ people: [{ id: 'lee', roles: ['legal'] }] });
    try {
      const fingerprint = `storm-${randomUUID()}`;
      const alert = { title: 'Flapping disk alert', severity: 'high', fingerprint, labels: { host: 'db-9' } };
      const firstId = `msg_${randomUUID().replace(/-/g, '')}`;
      const first = await fb.sendAlert(alert, { id: firstId });
      assert.equal(first.status, 202, JSON.stringify(first.body));
      const id = (first.body.incidents as { incidentId: string }[])[0]!.incidentId;
      const handle = fb.client.workflow.getHandle(id);
      await eventually(async () => {
        const s = await handle.query<IncidentStatus>('statusQuery');
        return s.steps.some((step) => step.id === 'approve-notice' && step.state === 'waiting') ? s : undefined;
      }, 60_000, 'the approval step waiting');

      const sent = [firstId];
      let next = 0;
      let retried = 0;
      const sendOne = async (): Promise<void> => {
        const msgId = `msg_${randomUUID().replace(/-/g, '')}`;
        sent.push(msgId);
        for (;;) {
          const answer = await fb.sendAlert(alert, { id: msgId });
          // A 503 is the ingress asking the sender to retry, as a real sender would (with the same delivery id).
          if (answer.status === 503) {
            retried += 1;
            continue;
          }
          assert.ok(answer.status === 202 || answer.status === 200, JSON.stringify(answer.body));
          if (answer.status === 202) assert.deepEqual((answer.body.incidents as { incidentId: string }[]).map((i) => i.incidentId), [id]);
          return;
        }
      };
      const started = Date.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < REPEATS) {
            next += 1;
            await sendOne();
          }
        }),
      );
      const stormEnded = new Date();
      const stormSeconds = (stormEnded.getTime() - started) / 1000;

      // Every repeat was acknowledged only once its signal was accepted, so the count is complete now, not eventually.
      const settled = await handle.query<IncidentStatus>('statusQuery');
      assert.equal(settled.alerts.count, REPEATS + 1, 'every repeat counted once');
      assert.equal(settled.timeline.filter((t) => t.event === 'alert.repeated').length, 0, 'repeats are summarised, not one timeline entry each');

      const approval = settled.approvals.find((a) => a.stepId === 'approve-notice')!;
      const approved = await fb.api('POST', `/v1/incidents/${id}/steps/approve-notice/approve`, { reason: 'after the storm', draftSha256: approval.draftSha256 }, 'token-lee');
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      const done = (await handle.result()) as IncidentStatus;
      assert.equal(done.phase, 'completed');
      assert.equal(done.alerts.count, REPEATS + 1);
      const closing = done.timeline.find((t) => t.event === 'incident.completed');
      assert.equal(closing?.facts?.alerts, String(REPEATS + 1), 'the close records the storm as a count');
      const notices = readdirSync(path.join(fb.dataDir, 'outbox')).filter((f) => f.endsWith('.eml') && readFileSync(path.join(fb.dataDir, 'outbox', f), 'utf8').includes(id));
      assert.equal(notices.length, 1, 'exactly one notice');

      // Every run of the incident: its history length, its signals, and the state it was handed when it began.
      const runs: RunFigures[] = [];
      for await (const run of fb.client.workflow.list({ query: `WorkflowId = '${id}'` })) {
        const events = (await fb.client.workflow.getHandle(id, run.runId).fetchHistory()).events ?? [];
        const input = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
        const carriedBytes = input.reduce((sum, p) => sum + (p.data?.length ?? 0) + Object.values(p.metadata ?? {}).reduce((m, v) => m + v.length, 0), 0);
        const signals = events.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
        runs.push({ runId: run.runId, status: run.status.name, closedAt: run.closeTime, events: events.length, signals, carriedBytes });
      }
      const maxEvents = Math.max(...runs.map((r) => r.events));
      const maxCarried = Math.max(...runs.map((r) => r.carriedBytes));
      const signals = runs.reduce((sum, r) => sum + r.signals, 0);
      const rolledDuringStorm = runs.filter((r) => r.status === 'CONTINUED_AS_NEW' && r.closedAt && r.closedAt < stormEnded).length;

      // Every delivery is on the audit record, one `alert.accepted` (or `alert.duplicate`, for a retry) per delivery id.
      const audited = await eventually(async () => {
        const ids = new Set<string>();
        let records = 0;
        for await (const record of readAuditRecords(path.join(fb.dataDir, 'audit'), { incidentId: id })) {
          if (record.action !== 'alert.accepted' && record.action !== 'alert.duplicate') continue;
          records += 1;
          ids.add(String(record.data.deliveryId));
        }
        return sent.every((d) => ids.has(d)) ? { records, ids: ids.size } : undefined;
      }, 60_000, 'every delivery audited');

      console.log(
        `    storm: ${REPEATS} repeats in ${stormSeconds.toFixed(1)} s (${Math.round(REPEATS / stormSeconds)}/s, ${retried} retried 503s); ` +
          `${runs.length} runs (${rolledDuringStorm} rolled over during the storm), ${signals} signals in all, max ${maxEvents} events per history, ` +
          `max carried input ${(maxCarried / 1024).toFixed(1)} KB; ${notices.length} notice; ${audited.records} alert audit records for ${audited.ids} delivery ids`,
      );
      assert.ok(rolledDuringStorm > 0, 'the incident rolled over while repeats kept arriving');
      assert.ok(maxEvents < HISTORY_WARN, `a history reached ${maxEvents} events`);
      assert.ok(maxCarried < PAYLOAD_BOUND, `a run was handed ${maxCarried} bytes`);
      // Coalesced: at most one signal per 250 ms window (and the opening one), whatever the sender's rate, so no run can
      // approach the server's signals-per-execution limit.
      const signalBound = Math.floor(stormSeconds * 4) + 1 + 1;
      assert.ok(signals <= signalBound, `${signals} signals for ${REPEATS} repeats in ${stormSeconds} s (bound ${signalBound})`);
    } finally {
      await fb.stop();
    }
  });
});
