import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { alertIncidentId } from '../ingress/alert-admission';
import { type IncidentInput } from '../workflows/incident/messages';
import { alertSignal } from '../workflows/incident/definitions';
import type { Alert } from '../runbooks/schema/alert';
import { loadRunbookLibrary } from '../runbooks/load';
import { signDelivery } from '../ingress/webhooks/delivery-signer';
import { startIngress, secretEnv, whsec } from '../test/ingress/ingress-harness';
import { HttpSender, type SenderRequest } from './http-sender';

export interface IngressBenchOptions {
  /** Alerts per measured run (default 1000). */
  alerts?: number;
  /** Requests in flight at once, for the ingress and for the bare client alike (default 32). */
  concurrency?: number;
}

export interface LoadFigures {
  alertsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time (user + system) of the measured process per alert; the sender's is not in it. */
  cpuMsPerAlert: number;
}

export interface ScenarioFigures {
  /** Through HTTP: verify, dedupe, normalise, route, signal-with-start, remember. */
  ingress: LoadFigures;
  /** The same signal-with-start calls straight from the Temporal client. */
  bare: LoadFigures;
  /**
   * A bare HTTP service (node:http, JSON body, signal-with-start, 202), driven by the same sender process as the
   * ingress: it prices what any HTTP ingress pays on this machine (HTTP parsing and answering), which the client-only
   * baseline has no part of.
   */
  bareHttp: LoadFigures;
  /** ingress / bare alerts per second (target ≥ 0.8). */
  throughputRatio: number;
  /** ingress p99 − bare p99 (target ≤ 10 ms). */
  p99OverheadMs: number;
}

export interface IngressBenchResult {
  alerts: number;
  concurrency: number;
  distinct: ScenarioFigures;
  /** 9 of every 10 alerts repeat a fingerprint already sent (new delivery ids): signals to open incidents. */
  duplicates90: ScenarioFigures;
}

interface Timed {
  latencies: number[];
  seconds: number;
  cpuMs: number;
}

/** A side's work for one round: in-process calls (the client-only baseline) or requests for the sender process. */
type Jobs = { calls: (() => Promise<void>)[] } | { requests: SenderRequest[] };

async function timeCalls(jobs: (() => Promise<void>)[], concurrency: number): Promise<Omit<Timed, 'cpuMs'>> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const t = performance.now();
        await job();
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

function loadFigures(runs: readonly Timed[]): LoadFigures {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  const cpuMs = runs.reduce((sum, r) => sum + r.cpuMs, 0);
  const at = (q: number): number => Number(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2));
  return { alertsPerSec: Math.round(latencies.length / seconds), p50Ms: at(0.5), p99Ms: at(0.99), cpuMsPerAlert: Number((cpuMs / latencies.length).toFixed(3)) };
}

// Rounds alternate between the sides, so a machine that other work slows for a while slows both alike.
const ROUNDS = 4;

/**
 * Measures the alert ingress against the bare Temporal client in one run, on the test harness (real HTTP service, real
 * Temporal dev server). The worker is stopped while measuring, so both sides only pay for Temporal durably accepting
 * the start or signal, not for runbooks running on the same machine. HTTP requests come from a sender process
 * (bench/http-sender.ts), signed before the clock starts. Prints nothing.
 */
export async function benchIngress(opts: IngressBenchOptions = {}): Promise<IngressBenchResult> {
  const alerts = opts.alerts ?? 1000;
  const concurrency = opts.concurrency ?? 32;
  const secret = whsec();
  const refs = secretEnv('bench', { secret });
  const fb = await startIngress({ sources: { bench: { kind: 'standard-webhooks', auth: { secrets: [refs.secret] } } }, routing: { rules: [], defaultRunbook: 'generic-alert-notice' } });
  const sender = HttpSender.start();
  const time = async (jobs: Jobs, concurrency: number): Promise<Timed> => {
    const loaded = 'requests' in jobs ? await sender.load({ requests: jobs.requests, concurrency, expectStatus: 202 }) : undefined;
    const before = process.cpuUsage();
    let timed: Omit<Timed, 'cpuMs'>;
    if ('calls' in jobs) timed = await timeCalls(jobs.calls, concurrency);
    else {
      const sent = await loaded!.go();
      if (sent.failures) throw new Error(`${sent.failures} of ${jobs.requests.length} alerts failed, first: ${sent.firstFailure}`);
      timed = sent;
    }
    const used = process.cpuUsage(before);
    return { ...timed, cpuMs: (used.user + used.system) / 1000 };
  };
  const drive = async (jobs: Jobs, concurrency: number): Promise<LoadFigures> => loadFigures([await time(jobs, concurrency)]);
  try {
    const library = await loadRunbookLibrary(fb.config.runbooksDir);
    const pinned = library.runbooks.find((p) => p.runbook.id === 'generic-alert-notice')!;
    const run = randomUUID().slice(0, 8);
    const fingerprints = (kind: string, duplicateShare: number): string[] => {
      const distinct = Math.max(1, Math.round(alerts * (1 - duplicateShare)));
      return Array.from({ length: alerts }, (_, i) => `${kind}-${run}-${i % distinct}`);
    };

    const ingressJobs = (prints: string[]): Jobs => ({
      requests: prints.map((fingerprint) => {
        const body = JSON.stringify({ title: 'bench alert', severity: 'medium', fingerprint, labels: { bench: 'ingress' } });
        const headers = { 'content-type': 'application/json', ...signDelivery('standard-webhooks', { secrets: [secret] }, body) };
        return { url: `${fb.baseUrl}/v1/alerts/bench`, headers, body };
      }),
    });

    const bareStart = (fingerprint: string): Promise<unknown> => {
      const now = new Date().toISOString();
      const alert: Alert = { source: 'bare', deliveryId: randomUUID(), fingerprint, title: 'bench alert', severity: 'medium', status: 'firing', labels: { bench: 'bare' }, occurredAt: now, receivedAt: now, raw: {} };
      const workflowId = alertIncidentId('bare', fingerprint);
      const input: IncidentInput = {
        incidentId: workflowId, title: alert.title, severity: alert.severity, openedBy: { kind: 'source', id: 'bare', roles: [] }, openedAt: now,
        pinned, alert, children: {}, config: { contacts: fb.config.contacts },
      };
      return fb.client.workflow.signalWithStart('incidentWorkflow', { workflowId, taskQueue: fb.config.temporal.taskQueue, args: [input], signal: alertSignal, signalArgs: [alert] });
    };
    const bareJobs = (prints: string[]): Jobs => ({ calls: prints.map((fingerprint) => async () => void (await bareStart(fingerprint))) });

    const bareHttpJobs = (prints: string[]): Jobs => ({
      requests: prints.map((fingerprint) => ({
        url: `${bareHttp.url}/alerts`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'bench alert', severity: 'medium', fingerprint, labels: { bench: 'bare-http' } }),
      })),
    });

    const scenario = async (name: string, duplicateShare: number): Promise<ScenarioFigures> => {
      const runs: Record<'ingress' | 'bare' | 'bareHttp', Timed[]> = { ingress: [], bare: [], bareHttp: [] };
      const sides = { ingress: ingressJobs, bare: bareJobs, bareHttp: bareHttpJobs };
      const prints = { ingress: fingerprints(`${name}-http`, duplicateShare), bare: fingerprints(`${name}-bare`, duplicateShare), bareHttp: fingerprints(`${name}-bare-http`, duplicateShare) };
      for (let round = 0; round < ROUNDS; round++) {
        const [from, to] = [Math.floor((round * alerts) / ROUNDS), Math.floor(((round + 1) * alerts) / ROUNDS)];
        // Signed (and built) just before the round, outside its clock.
        for (const side of ['ingress', 'bare', 'bareHttp'] as const) runs[side].push(await time(sides[side](prints[side].slice(from, to)), concurrency));
      }
      const ingress = loadFigures(runs.ingress);
      const bare = loadFigures(runs.bare);
      return { ingress, bare, bareHttp: loadFigures(runs.bareHttp), throughputRatio: Number((ingress.alertsPerSec / bare.alertsPerSec).toFixed(2)), p99OverheadMs: Number((ingress.p99Ms - bare.p99Ms).toFixed(2)) };
    };

    const bareHttp = await startBareHttp((fingerprint) => bareStart(fingerprint));
    await fb.stopWorker();
    // Warm-up: loads the runbook library, opens HTTP keep-alive and gRPC channels.
    await drive(ingressJobs(fingerprints('warm-http', 0).slice(0, 50)), concurrency);
    await drive(bareJobs(fingerprints('warm-bare', 0).slice(0, 50)), concurrency);
    await drive(bareHttpJobs(fingerprints('warm-bare-http', 0).slice(0, 50)), concurrency);
    const distinct = await scenario('distinct', 0);
    const duplicates90 = await scenario('dup', 0.9);
    await new Promise((resolve) => bareHttp.server.close(resolve));
    return { alerts, concurrency, distinct, duplicates90 };
  } finally {
    await sender.stop();
    await fb.stop();
  }
}

/** The least an HTTP alert ingress does: read the body, parse it, signal-with-start, answer 202. */
async function startBareHttp(start: (fingerprint: string) => Promise<unknown>): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { fingerprint } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { fingerprint: string };
      start(fingerprint).then(
        () => response.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}'),
        () => response.writeHead(503).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
