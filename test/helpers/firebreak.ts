import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { stringify as toYaml } from 'yaml';
import { signStandardWebhook } from '../../ingress/webhooks/sources/sign';
import { type Config, loadConfig } from '../../worker/config';
import { type ResolvedSecrets, resolveSecrets } from '../../worker/secrets';
import { createService } from '../../worker/service';
import { connectClient, connectWorkerConnection, temporalTarget } from '../../worker/temporal-connection';
import { activitiesFromConfig, createFirebreakWorker } from '../../worker/temporal-worker';
import type { Activities } from '../../activities';
import type { IncidentStatus } from '../../workflows/incident/state';
import { eventually } from './poll';
import { sharedTemporal, tempDir, testLog, workflowBundle } from './temporal';

export interface Person {
  id: string;
  roles: string[];
  email?: string;
}

export interface FirebreakOptions {
  /** Temporal address; default: the suite's shared dev server. */
  address?: string;
  dataDir?: string;
  people?: Person[];
  env?: Record<string, string>;
  /** Wraps the real activities, e.g. to simulate a crash after a side effect. */
  activities?: (real: Activities) => Activities;
  taskQueue?: string;
  /** More settings for the YAML config file (beside `people`). */
  config?: Record<string, unknown>;
}

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * Firebreak as `npm start` composes it (real worker, real HTTP service on a loopback port, real Temporal), with a
 * fresh data dir and its own task queue. People get API tokens `token-<id>`.
 */
export class FirebreakUnderTest {
  worker?: Worker;
  private running?: Promise<void>;

  private constructor(
    readonly config: Config,
    readonly secrets: ResolvedSecrets,
    readonly client: Client,
    readonly app: FastifyInstance,
    readonly baseUrl: string,
    private readonly options: FirebreakOptions,
  ) {}

  static async start(options: FirebreakOptions = {}): Promise<FirebreakUnderTest> {
    const dataDir = options.dataDir ?? tempDir('data');
    const people = options.people ?? [];
    const configFile = path.join(dataDir, 'firebreak.yaml');
    writeFileSync(configFile, toYaml({ ...options.config, people: people.map((p) => ({ id: p.id, roles: p.roles, ...(p.email ? { email: p.email } : {}), tokens: [`env:FB_TEST_TOKEN_${p.id.replace(/\W/g, '_').toUpperCase()}`] })) }));
    for (const p of people) process.env[`FB_TEST_TOKEN_${p.id.replace(/\W/g, '_').toUpperCase()}`] = `token-${p.id}`;
    const address = options.address ?? (await sharedTemporal()).address;
    const config = loadConfig({
      FIREBREAK_DATA_DIR: dataDir,
      FIREBREAK_CONFIG: configFile,
      FIREBREAK_HTTP_PORT: '0',
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: options.taskQueue ?? `test-${randomUUID()}`,
      ...options.env,
    });
    const secrets = resolveSecrets(config);
    const client = await connectClient(temporalTarget(config, secrets), secrets);
    let fb: FirebreakUnderTest | undefined;
    const app = createService({ config, secrets, client, log: testLog, localWorkerRunning: () => fb?.worker?.getState() === 'RUNNING' });
    const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    fb = new FirebreakUnderTest(config, secrets, client, app, baseUrl, options);
    await fb.startWorker();
    return fb;
  }

  get dataDir(): string {
    return this.config.dataDir;
  }

  get adminToken(): string {
    return this.secrets.adminToken.reveal();
  }

  async startWorker(): Promise<void> {
    const target = temporalTarget(this.config, this.secrets);
    const connection = await connectWorkerConnection(target);
    const real = activitiesFromConfig(this.config, this.secrets, testLog);
    this.worker = await createFirebreakWorker({
      config: this.config,
      secrets: this.secrets,
      connection,
      namespace: target.namespace,
      taskQueue: target.taskQueue,
      workflowBundle: await workflowBundle(),
      activities: this.options.activities ? this.options.activities(real.activities) : real.activities,
    });
    this.running = this.worker.run().finally(() => Promise.all([connection.close(), real.close()]));
  }

  async stopWorker(): Promise<void> {
    if (this.worker?.getState() === 'RUNNING') this.worker.shutdown();
    await this.running;
    this.worker = undefined;
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.stopWorker();
    await this.client.connection.close();
  }

  async api<T = Record<string, unknown>>(method: string, route: string, body?: unknown, token: string | null = this.adminToken): Promise<ApiAnswer<T>> {
    const response = await fetch(`${this.baseUrl}${route}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T, headers: response.headers };
  }

  /** The incident's status as GET /v1/incidents/:id answers it. */
  async status(id: string): Promise<IncidentStatus> {
    return (await this.api<IncidentStatus>('GET', `/v1/incidents/${id}`)).body;
  }

  /** Polls the incident's status until `check` accepts it, and returns that status; fails after `timeoutMs` naming `what`. */
  until(id: string, what: string, check: (s: IncidentStatus) => boolean, timeoutMs = 60_000): Promise<IncidentStatus> {
    return eventually(async () => {
      const s = await this.status(id);
      return check(s) ? s : undefined;
    }, timeoutMs, what);
  }

  /** Sends an alert signed the way a Standard Webhooks sender would; `tamper` changes the bytes after signing. */
  async sendAlert(alert: unknown, opts: { id?: string; timestamp?: number; secret?: string; tamper?: (raw: string) => string; headers?: Record<string, string> } = {}): Promise<ApiAnswer> {
    const raw = typeof alert === 'string' ? alert : JSON.stringify(alert);
    const id = opts.id ?? `msg_${randomUUID().replace(/-/g, '')}`;
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const signature = signStandardWebhook(opts.secret ?? this.secrets.webhookSigningSecret.reveal(), id, timestamp, raw);
    const response = await fetch(`${this.baseUrl}/v1/alerts/generic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature, ...opts.headers },
      body: opts.tamper ? opts.tamper(raw) : raw,
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
  }

  readSecretFile(name: string): string {
    return readFileSync(path.join(this.dataDir, 'secrets', name), 'utf8');
  }
}

/** The state of one step in an incident's status (undefined when it has not started). */
export function stepState(status: IncidentStatus, step: string): IncidentStatus['steps'][number]['state'] | undefined {
  return status.steps.find((s) => s.id === step)?.state;
}

// Tests import `eventually` from here, beside the Firebreak they wait on; it lives with the other polling helpers.
export { eventually };
