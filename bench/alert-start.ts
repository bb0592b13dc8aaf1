import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../codec/aes-gcm-codec';
import type { IncidentInput } from '../workflows/incident/messages';
import { signStandardWebhook } from '../ingress/webhooks/sources/sign';
import { FirebreakUnderTest } from '../test/helpers/firebreak';
import { startTemporal } from '../test/helpers/temporal';
import { HttpSender, type SenderRequest } from './http-sender';
import { type LoadFigures, inProcess, runAlternating } from './latency';

export interface AlertStartOptions {
  requests?: number;
  concurrency?: number;
}

export interface AlertStartResult {
  firebreak: LoadFigures;
  bare: LoadFigures;
  /** firebreak throughput / bare throughput. */
  throughputRatio: number;
}

/**
 * Signed alerts through the HTTP ingress until Temporal durably accepted the start (202), against a bare Temporal
 * client `workflow.start` loop of the same workflow at the same concurrency, on the same server and worker, same run.
 * The alerts come from a sender in its own process (signed before each round's clock starts), as from a monitoring
 * tool; the bare client runs in the measured process, which is where the baseline has it.
 */
export async function benchAlertStart(opts: AlertStartOptions = {}): Promise<AlertStartResult> {
  const requests = opts.requests ?? 400;
  const concurrency = opts.concurrency ?? 16;
  const temporal = await startTemporal();
  const fb = await FirebreakUnderTest.start({ address: temporal.address });
  const connection = await Connection.connect({ address: temporal.address });
  const bareClient = new Client({ connection });
  const sender = HttpSender.start();
  try {
    const runId = randomUUID().slice(0, 8);
    // Warm up both paths (connections, bundle, runbook library) outside the measurement.
    await fb.sendAlert({ title: `warm-up ${runId}`, severity: 'low' });
    const pinned = (await fb.api<{ runbooks: { id: string }[] }>('GET', '/v1/runbooks')).body;
    if (!pinned.runbooks.length) throw new Error('no runbooks loaded');
    const input = await sampleInput(fb);
    const secret = fb.secrets.webhookSigningSecret.reveal();
    const signed = (i: number): SenderRequest => {
      const body = JSON.stringify({ title: `bench ${runId} ${i}`, severity: 'low', labels: { n: String(i) } });
      const id = `msg_${randomUUID().replace(/-/g, '')}`;
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandardWebhook(secret, id, timestamp, body) };
      return { url: `${fb.baseUrl}/v1/alerts/generic`, headers, body };
    };
    // The sender's keep-alive connections, before the clock.
    const warm = await sender.send({ requests: Array.from({ length: concurrency }, (_, k) => signed(requests + k)), concurrency, expectStatus: 202 });
    if (warm.failures) throw new Error(`warm-up: ${warm.firstFailure}`);
    // Alternating rounds: each side also starts its workflows while the worker runs the other side's last ones.
    const [firebreak, bare] = await runAlternating(
      requests,
      concurrency,
      4,
      async (from, to, lanes) => {
        const requestsOfRound = Array.from({ length: to - from }, (_, k) => signed(from + k));
        return (await sender.load({ requests: requestsOfRound, concurrency: lanes, expectStatus: 202 })).go;
      },
      inProcess(async (i) => {
        await bareClient.workflow.start('incidentWorkflow', {
          workflowId: `bare/${runId}/${i}`,
          taskQueue: fb.config.temporal.taskQueue,
          args: [{ ...input, incidentId: `bare/${runId}/${i}` }],
        });
      }),
    );
    return { firebreak, bare, throughputRatio: firebreak.perSecond / bare.perSecond };
  } finally {
    await sender.stop();
    await connection.close();
    await fb.stop();
    await temporal.stop();
  }
}

/** The input Firebreak itself would pass for one alert, so the bare loop starts the same workflow with the same load. */
async function sampleInput(fb: FirebreakUnderTest): Promise<IncidentInput> {
  const sent = await fb.sendAlert({ title: 'sample for bare input', severity: 'low' });
  const id = (sent.body.incidents as { incidentId: string }[])[0]!.incidentId;
  const history = await fb.client.workflow.getHandle(id).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payloads = started?.input?.payloads ?? [];
  const [decoded] = await new AesGcmPayloadCodec(fb.secrets.keyring).decode(payloads as never);
  return defaultPayloadConverter.fromPayload(decoded!) as IncidentInput;
}
