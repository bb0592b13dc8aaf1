import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DeliveryDedupe } from '../../ingress/webhooks/delivery-dedupe';
import { signStandardWebhook } from '../../ingress/webhooks/sources/sign';
import { createService } from '../../worker/service';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';
import { testLog } from '../helpers/temporal';

describe('a redelivered alert over HTTP, at another replica and after a restart', function () {
  this.timeout(120_000);
  let fb: FirebreakUnderTest;
  const replicas: FastifyInstance[] = [];

  before(async () => {
    fb = await FirebreakUnderTest.start();
  });

  after(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await fb?.stop();
  });

  /** Another HTTP replica: its own process state, the same config, secrets, Temporal and data volume. */
  const replica = async (): Promise<{ app: FastifyInstance; url: string }> => {
    const app = createService({ config: fb.config, secrets: fb.secrets, client: fb.client, log: testLog, localWorkerRunning: () => true });
    replicas.push(app);
    return { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
  };

  const deliver = async (baseUrl: string, id: string, alert: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const sent = await fetch(`${baseUrl}/v1/alerts/generic`, { method: 'POST', ...signedAs(fb, id, alert) });
    return { status: sent.status, body: (await sent.json()) as Record<string, unknown> };
  };

  it('is answered 200 duplicate by a second replica and by a replica started after the first answered', async () => {
    const id = `msg_${randomUUID().replace(/-/g, '')}`;
    const alert = { title: 'Disk full on db-3', severity: 'high', fingerprint: `dedupe-http-${randomUUID()}` };
    const first = await deliver(fb.baseUrl, id, alert);
    assert.equal(first.status, 202, JSON.stringify(first.body));
    // The id is written just after the answer; a sender's retry comes seconds later at the earliest.
    const onVolume = new DeliveryDedupe(path.join(fb.dataDir, 'ingress', 'deliveries'));
    await eventually(async () => ((await onVolume.seen('generic', id)) ? true : undefined), 10_000, 'the delivery id on the data volume');
    await onVolume.close();

    const second = await replica();
    assert.deepEqual(await deliver(second.url, id, alert), { status: 200, body: { duplicate: true, deliveryId: id } }, 'at a second replica');
    await second.app.close();

    const restarted = await replica();
    assert.deepEqual(await deliver(restarted.url, id, alert), { status: 200, body: { duplicate: true, deliveryId: id } }, 'after a restart');
    assert.deepEqual(await deliver(fb.baseUrl, id, alert), { status: 200, body: { duplicate: true, deliveryId: id } }, 'at the replica that took it');

    const other = await deliver(restarted.url, `msg_${randomUUID().replace(/-/g, '')}`, alert);
    assert.equal(other.status, 202, 'a new delivery of the same alert is no duplicate');
    const incidentId = (first.body.incidents as { incidentId: string }[])[0]!.incidentId;
    assert.deepEqual((other.body.incidents as { incidentId: string }[]).map((i) => i.incidentId), [incidentId]);
  });
});

function signedAs(fb: FirebreakUnderTest, id: string, alert: unknown): { headers: Record<string, string>; body: string } {
  const raw = JSON.stringify(alert);
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandardWebhook(fb.secrets.webhookSigningSecret.reveal(), id, timestamp, raw) },
    body: raw,
  };
}
