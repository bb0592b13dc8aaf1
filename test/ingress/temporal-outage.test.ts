import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually, type FirebreakUnderTest } from '../helpers/firebreak';
import { startTemporal, tempDir } from '../helpers/temporal';
import { deliveriesCounted, incident, incidentIds, secretEnv, send, startIngress, whsec } from './ingress-harness';

describe('Temporal unreachable: 503 with Retry-After, and nothing lost', function () {
  this.timeout(240_000);
  const secret = whsec();
  const refs = secretEnv('outage', { secret });
  const auth = { secrets: [secret] };

  it('answers 503 + Retry-After while the server is down, and accepts the resend once it is back', async () => {
    const temporalDir = tempDir('outage-temporal');
    let server = await startTemporal(temporalDir);
    const fb: FirebreakUnderTest = await startIngress(
      { sources: { outage: { kind: 'standard-webhooks', auth: { secrets: [refs.secret] } } }, routing: { rules: [], defaultRunbook: 'generic-alert-notice' } },
      { address: `127.0.0.1:${server.port}` },
    );
    try {
      // A delivery while all is well also loads the runbook library, so the timing below is Temporal's alone.
      assert.equal((await send(fb, 'outage', 'standard-webhooks', auth, { title: `before ${randomUUID()}` })).status, 202);
      await fb.stopWorker();
      await server.stop();
      const deliveryId = `msg_${randomUUID().replace(/-/g, '')}`;
      const alert = { title: `outage ${randomUUID()}`, labels: { suite: 'outage' } };
      const started = Date.now();
      const down = await send(fb, 'outage', 'standard-webhooks', auth, alert, { deliveryId });
      const tookMs = Date.now() - started;
      assert.equal(down.status, 503, JSON.stringify(down.body));
      assert.equal(down.body.error, 'temporal.unavailable');
      assert.ok(Number(down.headers.get('retry-after')) >= 1, 'Retry-After');
      // Senders give up on slow answers (PagerDuty after 5 s); a 503 must come before that to be retried at all.
      assert.ok(tookMs < 5_000, `503 took ${tookMs} ms`);
      assert.equal(await deliveriesCounted(fb, 'outage', 'temporal_unavailable'), 1);

      // The call the 503 gave up on retries in the background until its gRPC deadline; let it end before the restart.
      await new Promise((r) => setTimeout(r, 5_000));
      server = await startTemporal(temporalDir, server.port);
      await fb.startWorker();
      // The sender's retry: same delivery id, fresh timestamp. Not remembered as seen, so it is accepted now.
      const resent = await eventually(async () => {
        const answer = await send(fb, 'outage', 'standard-webhooks', auth, alert, { deliveryId });
        return answer.status === 202 ? answer : undefined;
      }, 60_000, 'resend accepted');
      const status = await eventually(async () => incident(fb, incidentIds(resent)[0]!), 30_000);
      assert.equal(status.alerts.count, 1);
    } finally {
      await fb.stop();
      await server.stop();
    }
  });
});
