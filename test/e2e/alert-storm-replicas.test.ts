import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { readAuditRecords } from '../../audit/read';
import { signStandardWebhook } from '../../ingress/webhooks/sources/sign';
import { createService } from '../../worker/service';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';
import { testLog } from '../helpers/temporal';

const REPEATS = 2_000;
const CONCURRENCY = 64;
/** Configured (FIREBREAK_REPEAT_WINDOW_MS, default 250): each replica sends one incident at most one signal per window. */
const WINDOW_MS = 500;

describe('an alert storm through two HTTP replicas', function () {
  this.timeout(4 * 60_000);

  it(`counts ${REPEATS} repeats sent round-robin to two replicas once each, audits them all, and still rolls over during the storm with at most one signal per configured window (${WINDOW_MS} ms) from each replica`, async () => {
    const fb = await FirebreakUnderTest.start({ env: { FIREBREAK_REPEAT_WINDOW_MS: String(WINDOW_MS) } });
    // A second replica: its own HTTP service and coalescer, the same config, secrets, Temporal and audit folder.
    const second = createService({ config: fb.config, secrets: fb.secrets, client: fb.client, log: testLog, localWorkerRunning: () => true });
    try {
      const replicas = [fb.baseUrl, await second.listen({ host: '127.0.0.1', port: 0 })];
      const secret = fb.secrets.webhookSigningSecret.reveal();
      const fingerprint = `storm-${randomUUID()}`;
      const raw = JSON.stringify({ title: 'Flapping disk alert', severity: 'high', fingerprint, labels: { host: 'db-9' } });
      const send = async (n: number, id: string): Promise<{ status: number; body: Record<string, unknown> }> => {
        const timestamp = Math.floor(Date.now() / 1000);
        const response = await fetch(`${replicas[n % 2]}/v1/alerts/generic`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandardWebhook(secret, id, timestamp, raw) },
          body: raw,
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const sent = [`msg_${randomUUID().replace(/-/g, '')}`];
      const first = await send(0, sent[0]!);
      assert.equal(first.status, 202, JSON.stringify(first.body));
      const id = (first.body.incidents as { incidentId: string }[])[0]!.incidentId;

      let next = 0;
      const started = Date.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < REPEATS) {
            next += 1;
            const n = next;
            const msgId = `msg_${randomUUID().replace(/-/g, '')}`;
            sent.push(msgId);
            for (;;) {
              const answer = await send(n, msgId);
              if (answer.status === 503) continue; // the sender retries, with the same delivery id
              assert.equal(answer.status, 202, JSON.stringify(answer.body));
              assert.deepEqual((answer.body.incidents as { incidentId: string }[]).map((i) => i.incidentId), [id]);
              break;
            }
          }
        }),
      );
      const stormEnded = new Date();
      const stormSeconds = (stormEnded.getTime() - started) / 1000;
      const status = await fb.client.workflow.getHandle(id).query<IncidentStatus>('statusQuery');
      assert.equal(status.alerts.count, REPEATS + 1, 'every repeat counted once, from both replicas');

      let signals = 0;
      let rolledDuringStorm = 0;
      let maxEvents = 0;
      for await (const run of fb.client.workflow.list({ query: `WorkflowId = '${id}'` })) {
        const events = (await fb.client.workflow.getHandle(id, run.runId).fetchHistory()).events ?? [];
        signals += events.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
        maxEvents = Math.max(maxEvents, events.length);
        if (run.status.name === 'CONTINUED_AS_NEW' && run.closeTime && run.closeTime < stormEnded) rolledDuringStorm += 1;
      }
      const audited = await eventually(async () => {
        const ids = new Set<string>();
        for await (const record of readAuditRecords(path.join(fb.dataDir, 'audit'), { incidentId: id })) if (record.action === 'alert.accepted') ids.add(String(record.data.deliveryId));
        return sent.every((d) => ids.has(d)) ? ids.size : undefined;
      }, 60_000, 'every delivery audited');
      console.log(`    two replicas: ${REPEATS} repeats in ${stormSeconds.toFixed(1)} s (${Math.round(REPEATS / stormSeconds)}/s); ${rolledDuringStorm} roll-overs during the storm, ${signals} signals, max ${maxEvents} events per history; ${audited} deliveries audited`);
      assert.ok(rolledDuringStorm > 0, 'the incident rolled over while repeats kept arriving');
      // Per replica, signals at least a window apart within the storm; besides them, the opening alert's signal and the
      // second replica's first delivery, which found the incident by a signal-with-start.
      const bound = 2 * (Math.floor((stormSeconds * 1000) / WINDOW_MS) + 1) + 2;
      assert.ok(signals <= bound, `${signals} signals in ${stormSeconds} s (bound ${bound})`);
      assert.ok(maxEvents < 10_240);
    } finally {
      await second.close();
      await fb.stop();
    }
  });
});
