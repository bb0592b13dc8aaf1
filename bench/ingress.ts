import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { alertIncidentId } from '../ingress/incident-succession';
import { type IncidentInput } from '../workflows/incident/messages';
import { alertSignal } from '../workflows/incident/definitions';
import type { Alert } from '../runbooks/schema/alert';
import { loadRunbookLibrary } from '../runbooks/load';
import { signDelivery } from '../ingress/webhooks/delivery-signer';
import { startIngress, secretEnv, whsec } from '../test/ingress/ingress-harness';

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
}

export interface ScenarioFigures {
  /** Through HTTP: verify, dedupe, normalise, route, signal-with-start, remember. */
  ingress: LoadFigures;
  /** The same signal-with-start calls straight from the Temporal client. */
  bare: LoadFigures;
  /**
   * A bare HTTP service (node:http, JSON body, signal-with-start, 202), driven by the same in-process fetch client as the
   * ingress: it prices what any HTTP ingress pays on this machine (the sender's and the parser's CPU), which the
   * client-only baseline has no part of.
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
}

async function timeJobs(jobs: (() => Promise<void>)[], concurrency: number): Promise<Timed> {
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
  const at = (q: number): number => Number(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2));
  return { alertsPerSec: Math.round(latencies.length / seconds), p50Ms: at(0.5), p99Ms: at(0.99) };
}

const drive = async (jobs: (() => Promise<void>)[], concurrency: number): Promise<LoadFigures> => loadFigures([await timeJobs(jobs, concurrency)]);

// Rounds alternate between the two sides, so a machine that other work slows for a while slows both alike.
const ROUNDS = 4;

/**
 * Measures the alert ingress against the bare Temporal client in one run, on the test harness (real HTTP service, real
 * Temporal dev server). The worker is stopped while measuring, so both sides only pay for Temporal durably accepting
 * the start or signal, not for runbooks running on the same machine. Requests are signed before the clock starts.
 * Prints nothing.
 */
export async function benchIngress(opts: IngressBenchOptions = {}): Promise<IngressBenchResult> {
  const alerts = opts.alerts ?? 1000;
  const concurrency = opts.concurrency ?? 32;
  const secret = whsec();
  const refs = secretEnv('bench', { secret });
  const fb = await startIngress({ sources: { bench: { kind: 'standard-webhooks', auth: { secrets: [refs.secret] } } }, routing: { rules: [], defaultRunbook: 'generic-alert-notice' } });
  try {
    const library = await loadRunbookLibrary(fb.config.runbooksDir);
    const pinned = library.runbooks.find((p) => p.runbook.id === 'generic-alert-notice')!;
    const run = randomUUID().slice(0, 8);
    const fingerprints = (kind: string, duplicateShare: number): string[] => {
      const distinct = Math.max(1, Math.round(alerts * (1 - duplicateShare)));
      return Array.from({ length: alerts }, (_, i) => `${kind}-${run}-${i % distinct}`);
    };

    const ingressJobs = (prints: string[]): (() => Promise<void>)[] =>
      prints.map((fingerprint) => {
        const body = JSON.stringify({ title: 'bench alert', severity: 'medium', fingerprint, labels: { bench: 'ingress' } });
        const headers = { 'content-type': 'application/json', ...signDelivery('standard-webhooks', { secrets: [secret] }, body) };
        return async () => {
          const response = await fetch(`${fb.baseUrl}/v1/alerts/bench`, { method: 'POST', headers, body });
          await response.arrayBuffer();
          if (response.status !== 202) throw new Error(`ingress answered ${response.status}`);
        };
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
    const bareJobs = (prints: string[]): (() => Promise<void>)[] => prints.map((fingerprint) => async () => void (await bareStart(fingerprint)));

    const bareHttpJobs = (prints: string[]): (() => Promise<void>)[] =>
      prints.map((fingerprint) => {
        const body = JSON.stringify({ title: 'bench alert', severity: 'medium', fingerprint, labels: { bench: 'bare-http' } });
        return async () => {
          const response = await fetch(`${bareHttp.url}/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          await response.arrayBuffer();
          if (response.status !== 202) throw new Error(`bare HTTP service answered ${response.status}`);
        };
      });

    const scenario = async (name: string, duplicateShare: number): Promise<ScenarioFigures> => {
      const ingressAll = ingressJobs(fingerprints(`${name}-http`, duplicateShare));
      const bareAll = bareJobs(fingerprints(`${name}-bare`, duplicateShare));
      const bareHttpAll = bareHttpJobs(fingerprints(`${name}-bare-http`, duplicateShare));
      const ingressRuns: Timed[] = [];
      const bareRuns: Timed[] = [];
      const bareHttpRuns: Timed[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const [from, to] = [Math.floor((round * alerts) / ROUNDS), Math.floor(((round + 1) * alerts) / ROUNDS)];
        ingressRuns.push(await timeJobs(ingressAll.slice(from, to), concurrency));
        bareRuns.push(await timeJobs(bareAll.slice(from, to), concurrency));
        bareHttpRuns.push(await timeJobs(bareHttpAll.slice(from, to), concurrency));
      }
      const ingress = loadFigures(ingressRuns);
      const bare = loadFigures(bareRuns);
      return { ingress, bare, bareHttp: loadFigures(bareHttpRuns), throughputRatio: Number((ingress.alertsPerSec / bare.alertsPerSec).toFixed(2)), p99OverheadMs: Number((ingress.p99Ms - bare.p99Ms).toFixed(2)) };
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
