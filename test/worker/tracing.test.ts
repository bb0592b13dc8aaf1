import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '../helpers/firebreak';
import { freePort } from '../helpers/net';
import { sharedTemporal, tempDir } from '../helpers/temporal';

const run = promisify(execFile);
const cliPath = path.resolve(__dirname, '..', '..', 'bin', 'firebreak.js');

interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

/** A local OTLP/HTTP receiver: decodes the JSON export requests (`POST /v1/traces`) and keeps every span. */
async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      type Attr = { key: string; value: { stringValue?: string } };
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans: { resource: { attributes: Attr[] }; scopeSpans: { spans: { name: string; traceId: string; spanId: string; parentSpanId?: string }[] }[] }[];
      };
      for (const rs of body.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ service, name: s.name, traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId || undefined });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, spans, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('OpenTelemetry traces over OTLP', function () {
  this.timeout(180_000);
  const children: ChildProcess[] = [];
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await receiver?.close();
  });

  it('follow one alert from the HTTP request through the Temporal client call and the workflow into its activities', async () => {
    receiver = await startOtlpReceiver();
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: (await sharedTemporal()).address,
      TEMPORAL_TASK_QUEUE: `tracing-${randomUUID()}`,
      FIREBREAK_DATA_DIR: tempDir('tracing'),
      FIREBREAK_HTTP_PORT: String(port),
      FIREBREAK_URL: baseUrl,
      FIREBREAK_LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    };
    const start = (command: string) => {
      const child = spawn(process.execPath, [cliPath, command], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(child);
      return child;
    };
    const serve = start('serve');
    const worker = start('worker');
    await eventually(async () => ((await fetch(`${baseUrl}/healthz`)).status === 200 ? true : undefined), 120_000, 'a healthy service with a polling worker');

    const alertFile = path.join(env.FIREBREAK_DATA_DIR, 'alert.json');
    writeFileSync(alertFile, JSON.stringify({ title: `Traced ${randomUUID()}`, severity: 'high' }));
    const cli = async (...args: string[]) => (await run(process.execPath, [cliPath, ...args], { env })).stdout;
    const id = /accepted: (\S+)/.exec(await cli('alert', 'send', '--file', alertFile))![1]!;
    // The workflow's own span is exported when it ends: take the incident to its close.
    await eventually(async () => (JSON.parse(await cli('incident', id, '--json')).steps.some((s: { id: string; state: string }) => s.id === 'approve-notice' && s.state === 'waiting') ? true : undefined), 60_000);
    await cli('approve', id, 'approve-notice', '--reason', 'traced');
    // The timeout names the phase and steps it last saw.
    await eventually(async () => {
      const incident = JSON.parse(await cli('incident', id, '--json')) as { phase: string; steps: { id: string; state: string }[] };
      if (incident.phase === 'completed') return true;
      throw new Error(`phase ${incident.phase}, steps ${incident.steps.map((s) => `${s.id}:${s.state}`).join(' ')}`);
    }, 60_000, 'the incident to complete after the approval');

    const ingress = await eventually(async () => receiver.spans.find((s) => s.name === 'POST /v1/alerts/:source'), 60_000, 'the ingress span');
    const inTrace = () => receiver.spans.filter((s) => s.traceId === ingress.traceId);
    await eventually(async () => (inTrace().some((s) => s.name.startsWith('RunWorkflow:')) ? true : undefined), 60_000, 'the workflow span in the same trace');
    const activity = inTrace().find((s) => s.name.startsWith('RunActivity:'))!;
    const byId = new Map(inTrace().map((s) => [s.spanId, s]));
    const ancestry: ReceivedSpan[] = [];
    for (let s: ReceivedSpan | undefined = activity; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) ancestry.unshift(s);

    assert.equal(ingress.service, 'firebreak-http');
    assert.equal(activity.service, 'firebreak-worker');
    assert.equal(ancestry[0]!.spanId, ingress.spanId, `the activity descends from the HTTP request: ${ancestry.map((s) => s.name).join(' > ')}`);
    assert.ok(ancestry.some((s) => s.service === 'firebreak-http' && /Workflow/.test(s.name)), 'a Temporal client span from the HTTP service');
    assert.ok(ancestry.some((s) => s.service === 'firebreak-worker' && s.name.startsWith('RunWorkflow:')), 'the workflow span');

    serve.kill('SIGTERM');
    worker.kill('SIGTERM');
    await Promise.all([once(serve, 'exit'), once(worker, 'exit')]);
  });
});
