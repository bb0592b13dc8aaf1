import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncidentStatus } from '../../workflows/incident/state';
import { IncidentSuccession } from '../../ingress/incident-succession';
import { RunbookCatalog } from '../../ingress/runbook-catalog';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';
import { testLog } from '../helpers/temporal';

/**
 * Repeats in the storm: opt-in with FIREBREAK_STORM_REPEATS (the figure is 50,000). Not in the default suite
 * because it is not yet reliable: at ~100 alerts/s a continue-as-new can be overtaken by a signal over and over (Temporal
 * refuses a run's completion while it has unseen signals), so one run stops rolling over until it reaches the server's
 * signals-per-execution limit; on a machine loaded past its cores the long workflow tasks it causes have also crashed the
 * worker's workflow thread (Node: "async hook stack has become corrupted"), which takes the whole mocha process down.
 * TODO(issue 19): deliver repeats as Updates with a dedupe validator, which do not block a continue-as-new.
 */
const REPEATS = Number(process.env.FIREBREAK_STORM_REPEATS ?? 0);
/** Deliveries in flight at once, like a sender with a connection pool. */
const CONCURRENCY = Number(process.env.FIREBREAK_STORM_CONCURRENCY ?? 8);
/**
 * The first repeats go through real HTTP with real signatures; the rest through the intake's own next step (the
 * succession rules on the Temporal client), because the HTTP path's per-delivery audit and dedupe writes make 50,000
 * deliveries take tens of minutes on a shared machine, and the storm is about what the incident does with them.
 */
const OVER_HTTP = Math.min(REPEATS, 1_000);
/** Temporal warns at 10,240 events per history and refuses payloads over 2 MB; we hold ourselves to a quarter of that. */
const HISTORY_WARN = 10_240;
const PAYLOAD_BOUND = 512 * 1024;

describe('an alert storm on one incident', function () {
  // Bounded: the storm at 50,000 repeats must be absorbed within 15 minutes on a shared 2-core CI machine.
  this.timeout(15 * 60_000);

  before(function () {
    if (REPEATS === 0) {
      console.log('    skipped: set FIREBREAK_STORM_REPEATS (e.g. 12000) to run the storm; see the note in this file on why it is opt-in');
      this.skip();
    }
  });

  it(`absorbs ${REPEATS} repeats with a pending approval: every history under ${HISTORY_WARN} events, every carried payload under 512 KB, every repeat counted once, one notice after approval`, async () => {
    const fb = await FirebreakUnderTest.start({ people: [{ id: 'lee', roles: ['legal'] }] });
    try {
      const fingerprint = `storm-${randomUUID()}`;
      const alert = { title: 'Flapping disk alert', severity: 'high', fingerprint, labels: { host: 'db-9' } };
      const first = await fb.sendAlert(alert);
      const id = (first.body.incidents as { incidentId: string }[])[0]!.incidentId;
      const handle = fb.client.workflow.getHandle(id);
      await eventually(async () => {
        const s = await handle.query<IncidentStatus>('statusQuery');
        return s.steps.some((step) => step.id === 'approve-notice' && step.state === 'waiting') ? s : undefined;
      });

      const catalog = new RunbookCatalog(fb.config.runbooksDir, testLog);
      const pinned = (await catalog.runbooks()).find((p) => p.runbook.id === 'generic-alert-notice')!;
      const succession = new IncidentSuccession({
        client: fb.client,
        taskQueue: fb.config.temporal.taskQueue,
        input: async (base) => ({ ...base, children: {}, config: { contacts: fb.config.contacts } }),
      });
      const started = Date.now();
      let next = 0;
      let retried = 0;
      const direct = async (n: number): Promise<void> => {
        const now = new Date().toISOString();
        const admission = await succession.admit(
          { source: 'generic', deliveryId: `storm-${n}`, fingerprint, title: alert.title, severity: 'high', status: 'firing', labels: alert.labels, occurredAt: now, receivedAt: now, raw: alert },
          pinned,
        );
        assert.deepEqual([admission.outcome, 'incidentId' in admission && admission.incidentId], ['signalled', id]);
      };
      const sendOne = async (n: number): Promise<void> => {
        if (n > OVER_HTTP) return direct(n);
        const msgId = `msg_${randomUUID().replace(/-/g, '')}`;
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
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < REPEATS) {
            next += 1;
            await sendOne(next);
          }
        }),
      );
      const stormSeconds = (Date.now() - started) / 1000;

      const settled = await eventually(async () => {
        const s = await handle.query<IncidentStatus>('statusQuery');
        return s.alerts.count === REPEATS + 1 ? s : undefined;
      }, 120_000, 'every repeat counted');
      assert.equal(settled.timeline.filter((t) => t.event === 'alert.repeated').length, 0, 'repeats are summarised, not one timeline entry each');

      // Every run of the incident: its history length, and the state it was handed when it began.
      const runs: { runId: string; events: number; carriedBytes: number }[] = [];
      for await (const run of fb.client.workflow.list({ query: `WorkflowId = '${id}'` })) {
        const history = await fb.client.workflow.getHandle(id, run.runId).fetchHistory();
        const startedEvent = history.events?.[0]?.workflowExecutionStartedEventAttributes;
        const carriedBytes = (startedEvent?.input?.payloads ?? []).reduce((sum, p) => sum + (p.data?.length ?? 0) + Object.values(p.metadata ?? {}).reduce((m, v) => m + v.length, 0), 0);
        runs.push({ runId: run.runId, events: history.events?.length ?? 0, carriedBytes });
      }
      const maxEvents = Math.max(...runs.map((r) => r.events));
      const maxCarried = Math.max(...runs.map((r) => r.carriedBytes));
      console.log(`    storm: ${REPEATS} repeats in ${stormSeconds.toFixed(1)} s (${Math.round(REPEATS / stormSeconds)}/s, ${retried} retried 503s), ${runs.length} runs, max ${maxEvents} events per history, max carried input ${Math.round(maxCarried / 1024)} KB`);
      assert.ok(runs.length > 1, 'the incident rolled over during the storm');
      assert.ok(maxEvents < HISTORY_WARN, `a history reached ${maxEvents} events`);
      assert.ok(maxCarried < PAYLOAD_BOUND, `a run was handed ${maxCarried} bytes`);

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
    } finally {
      await fb.stop();
    }
  });
});
