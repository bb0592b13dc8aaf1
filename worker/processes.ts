import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { type Config, loadConfig } from './config';
import { logRunbookNeeds } from './runbook-needs';
import { type DevServer, startDevServer } from './dev-server';
import { embeddedUiCodecEndpoint } from './codec-wiring';
import { type Logger, createLogger } from './logging';
import { type ResolvedSecrets, resolveSecrets, secretsDir } from './secrets';
import { connectClient, connectWorkerConnection, temporalTarget, type TemporalTarget } from './temporal-connection';
import { activitiesFromConfig, createFirebreakWorker, installRuntimeLogging } from './temporal-worker';
import { createService } from './service';
import { installTracing, shutdownTracing } from './tracing';

/*
 * The three ways to run Firebreak: `start` (everything in one foreground process, with an embedded Temporal server
 * unless TEMPORAL_ADDRESS is set), `worker` and `serve` (one role each, any number of replicas against a cluster).
 */

interface Prepared {
  config: Config;
  secrets: ResolvedSecrets;
  log: Logger;
}

function prepare(serviceName: string): Prepared {
  const config = loadConfig();
  const log = createLogger();
  installRuntimeLogging(log);
  installTracing(serviceName);
  const secrets = resolveSecrets(config);
  // Every process kind (start, worker, serve) says once what the library needs that this config lacks.
  void logRunbookNeeds(config, log);
  return { config, secrets, log };
}

function onShutdownSignal(handler: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      handler()
        .then(shutdownTracing)
        .then(
        () => process.exit(0),
        (error) => {
          console.error(error);
          process.exit(1);
        },
      );
    });
  }
}

function firstStartBanner(p: Prepared, httpUrl: string): string {
  const rel = path.relative(process.cwd(), secretsDir(p.config.dataDir)) || secretsDir(p.config.dataDir);
  return [
    '',
    `First start: generated ${p.secrets.generated.join(', ')} in ${rel}/ (mode 0600). They are shown nowhere else.`,
    'Send a signed test alert (ready to paste):',
    `  npx firebreak alert send --example`,
    'Then watch it and approve its notice:',
    `  npx firebreak incidents`,
    `  npx firebreak approve <incident-id> approve-notice --reason "looks right"`,
    `The notice lands in ${path.join(p.config.dataDir, 'outbox')}/ (no SMTP configured). HTTP API: ${httpUrl}/v1/incidents with the token in ${rel}/admin-token.`,
    '',
  ].join('\n');
}

async function runWorkerUntilStopped(p: Prepared, target: TemporalTarget): Promise<{ worker: Worker; running: Promise<void> }> {
  const connection = await connectWorkerConnection(target);
  const activities = activitiesFromConfig(p.config, p.secrets, p.log);
  const worker = await createFirebreakWorker({ config: p.config, secrets: p.secrets, connection, namespace: target.namespace, taskQueue: target.taskQueue, activities: activities.activities });
  const running = worker.run().finally(() => Promise.all([connection.close(), activities.close()]));
  return { worker, running };
}

/** `firebreak start`: dev server (unless a cluster is configured), worker and HTTP service; Ctrl-C drains in order. */
export async function startAll(): Promise<void> {
  const p = prepare('firebreak');
  let devServer: DevServer | undefined;
  if (!p.config.temporal.address) {
    devServer = await startDevServer({ dataDir: p.config.dataDir, port: p.config.temporal.devServerPort, uiPort: p.config.temporal.uiPort, namespace: p.config.temporal.namespace, log: p.log, codecEndpoint: embeddedUiCodecEndpoint(p.config) });
  }
  const target = temporalTarget(p.config, p.secrets, devServer?.address);
  // The dev server is detached (Ctrl-C must not reach it first), so a start that fails from here on stops it, or it
  // would outlive this process (seen: the HTTP port taken).
  const { worker, running, client, app, httpUrl } = await (async () => {
    const { worker, running } = await runWorkerUntilStopped(p, target);
    const client = await connectClient(target, p.secrets);
    const app = createService({ config: p.config, secrets: p.secrets, client, log: p.log, localWorkerRunning: () => worker.getState() === 'RUNNING' });
    return { worker, running, client, app, httpUrl: await app.listen({ host: p.config.http.host, port: p.config.http.port }) };
  })().catch(async (error: unknown) => {
    await devServer?.stop();
    throw error;
  });
  p.log.info({ http: httpUrl, temporal: target.address, ui: devServer?.uiUrl, dataDir: p.config.dataDir }, 'Firebreak is running');
  process.stdout.write(`\nFirebreak is running: ${httpUrl} (health ${httpUrl}/healthz)${devServer ? `, Temporal UI ${devServer.uiUrl}` : ''}. Ctrl-C stops it.\n`);
  if (p.secrets.generated.length > 0) process.stdout.write(firstStartBanner(p, httpUrl));

  onShutdownSignal(async () => {
    p.log.info('shutting down: closing HTTP, draining the worker, then stopping Temporal');
    await app.close();
    worker.shutdown();
    await running;
    await client.connection.close();
    await devServer?.stop();
    p.log.info('stopped');
  });
  running.catch(async (error) => {
    p.log.error({ err: error }, 'worker stopped unexpectedly');
    await app.close();
    await devServer?.stop();
    process.exit(1);
  });
}

/** `firebreak worker`: a worker replica against TEMPORAL_ADDRESS. */
export async function startWorkerOnly(): Promise<void> {
  const p = prepare('firebreak-worker');
  const target = temporalTarget(p.config, p.secrets);
  const { worker, running } = await runWorkerUntilStopped(p, target);
  p.log.info({ temporal: target.address, taskQueue: target.taskQueue }, 'worker polling');
  onShutdownSignal(async () => {
    worker.shutdown();
    await running;
  });
  await running;
}

/** `firebreak serve`: an HTTP replica (ingress + API) against TEMPORAL_ADDRESS; stateless. */
export async function startServiceOnly(): Promise<void> {
  const p = prepare('firebreak-http');
  const target = temporalTarget(p.config, p.secrets);
  const client = await connectClient(target, p.secrets);
  const app = createService({ config: p.config, secrets: p.secrets, client, log: p.log });
  const url = await app.listen({ host: p.config.http.host, port: p.config.http.port });
  p.log.info({ http: url, temporal: target.address }, 'HTTP service listening');
  onShutdownSignal(async () => {
    await app.close();
    await client.connection.close();
  });
}
