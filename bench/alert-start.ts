import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from '../codec/aes-gcm-codec';
import type { IncidentInput } from '../workflows/incident/messages';
import { FirebreakUnderTest } from '../test/helpers/firebreak';
import { startTemporal } from '../test/helpers/temporal';
import { type LoadFigures, runAlternating } from './latency';

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
 */
export async function benchAlertStart(opts: AlertStartOptions = {}): Promise<AlertStartResult> {
  const requests = opts.requests ?? 400;
  const concurrency = opts.concurrency ?? 16;
  const temporal = await startTemporal();
  const fb = await FirebreakUnderTest.start({ address: temporal.address });
  const connection = await Connection.connect({ address: temporal.address });
  const bareClient = new Client({ connection });
  try {
    const runId = randomUUID().slice(0, 8);
    // Warm up both paths (connections, bundle, runbook library) outside the measurement.
    await fb.sendAlert({ title: `warm-up ${runId}`, severity: 'low' });
    const pinned = (await fb.api<{ runbooks: { id: string }[] }>('GET', '/v1/runbooks')).body;
    if (!pinned.runbooks.length) throw new Error('no runbooks loaded');
    const input = await sampleInput(fb);
    // Alternating rounds: each side also starts its workflows while the worker runs the other side's last ones.
    const [firebreak, bare] = await runAlternating(
      requests,
      concurrency,
      4,
      async (i) => {
        const answer = await fb.sendAlert({ title: `bench ${runId} ${i}`, severity: 'low', labels: { n: String(i) } });
        if (answer.status !== 202) throw new Error(`status ${answer.status}`);
      },
      async (i) => {
        await bareClient.workflow.start('incidentWorkflow', {
          workflowId: `bare/${runId}/${i}`,
          taskQueue: fb.config.temporal.taskQueue,
          args: [{ ...input, incidentId: `bare/${runId}/${i}` }],
        });
      },
    );
    return { firebreak, bare, throughputRatio: firebreak.perSecond / bare.perSecond };
  } finally {
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
