import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { stringify as toYaml } from 'yaml';
import { eventually } from '../helpers/poll';
import { type ServerBinaries, TEMPORAL_SERVER_VERSION, pgBin, serverBinaries } from './binaries';

const run = promisify(execFile);

/*
 * A real multi-service Temporal cluster for the cluster suite: PostgreSQL 15 from Debian's packages in a throwaway
 * data dir on a loopback port, and the Temporal server (the release line of the pinned CLI's embedded server) as four
 * processes, frontend, history, matching and worker, with four history shards. Everything started here is stopped by
 * `stop()`, and killed if the test process exits or is interrupted first.
 */

export const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type Service = (typeof SERVICES)[number];

/**
 * Each service and PostgreSQL listens on its own loopback address, as if on its own host: a config that only works
 * when everything shares one address (a broadcast address, a peer found at 127.0.0.1) fails here. Linux routes all
 * of 127.0.0.0/8 to the loopback interface, so no setup is needed.
 */
export const HOST_OF: Record<Service, string> = { frontend: '127.0.0.2', history: '127.0.0.3', matching: '127.0.0.4', worker: '127.0.0.5' };
export const POSTGRES_HOST = '127.0.0.6';

// ---- what to kill when the test process goes away ---------------------------------------------------------------

const started = new Set<ChildProcess>();
/** Kills `child` with everything else this module started if the test process exits or is interrupted first. */
export function track(child: ChildProcess): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}
function killEverything(): void {
  for (const child of started) child.kill('SIGKILL');
}
process.once('exit', killEverything);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killEverything();
    process.exit(130);
  });
}

// ---- ports -----------------------------------------------------------------------------------------------------

const taken = new Set<number>();
/** A free loopback port below 32768: Temporal keeps membership ports in a smallint column. */
export async function lowPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
}

function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  return eventually(check, timeoutMs, `${what} to be ready`, 250);
}

// ---- PostgreSQL --------------------------------------------------------------------------------------------------

/** initdb refuses root: as root, run PostgreSQL as the `postgres` user (Debian's package creates it) or `nobody`. */
async function unprivilegedUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number((await run('id', ['-u', name])).stdout.trim());
      const gid = Number((await run('id', ['-g', name])).stdout.trim());
      return { uid, gid };
    } catch {
      // next candidate
    }
  }
  throw new Error('running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as');
}

export interface Postgres {
  port: number;
  dir: string;
  /** Fast shutdown, then start again on the same port and data; resolves when it accepts connections. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<Postgres> {
  const user = await unprivilegedUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'firebreak-cluster-pg-'));
  const data = path.join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(data, user.uid, user.gid);
  }
  const as = user ? { uid: user.uid, gid: user.gid } : {};
  await run(pgBin('initdb'), ['-D', data, '-U', 'temporal', '--auth=trust', '--encoding=UTF8', '--no-instructions'], { ...as, env: { ...process.env, LC_ALL: 'C' } });
  const port = await lowPort();
  const logFile = path.join(dir, 'postgres.log');
  writeFileSync(logFile, '');
  if (user) chownSync(logFile, user.uid, user.gid);
  let child: ChildProcess | undefined;
  const launch = async () => {
    const out = openSync(logFile, 'a');
    child = track(spawn(pgBin('postgres'), ['-D', data, '-p', String(port), '-c', `listen_addresses=${POSTGRES_HOST}`, '-c', `unix_socket_directories=${dir}`, '-c', 'max_connections=300'], { ...as, stdio: ['ignore', out, out] }));
    await waitFor('PostgreSQL', 30_000, async () => {
      if (child!.exitCode !== null) throw new Error(`postgres exited with ${child!.exitCode}; see ${logFile}`);
      await run(pgBin('pg_isready'), ['-h', POSTGRES_HOST, '-p', String(port), '-U', 'temporal']);
      return true;
    });
  };
  const shutdown = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGINT'); // fast shutdown: open transactions roll back, nothing committed is lost
    await exited;
  };
  await launch();
  return {
    port,
    dir,
    async restart() {
      await shutdown();
      await launch();
    },
    async stop() {
      await shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- the Temporal cluster -----------------------------------------------------------------------------------------

export interface ClusterOptions {
  numHistoryShards?: number;
  /** A folder `backup()` wrote: the new PostgreSQL starts from those dumps instead of an empty schema. */
  restoreFrom?: string;
  namespace?: string;
  log?: (line: string) => void;
}

export interface TemporalCluster {
  /** Frontend gRPC address, for TEMPORAL_ADDRESS. */
  address: string;
  namespace: string;
  postgres: Postgres;
  dir: string;
  kill(service: Service): void;
  start(service: Service): Promise<void>;
  isRunning(service: Service): boolean;
  /** pg_dump (custom format) of both databases into `dir`, as an operator's backup would take them. */
  backup(dir: string): Promise<void>;
  stop(): Promise<void>;
}

function serverConfig(pgPort: number, ports: Record<Service, { grpc: number; membership: number }>, httpPort: number, shards: number, dynamicConfig: string) {
  const store = (databaseName: string, maxConns: number) => ({
    sql: { pluginName: 'postgres12', databaseName, connectAddr: `${POSTGRES_HOST}:${pgPort}`, connectProtocol: 'tcp', user: 'temporal', password: '', maxConns, maxIdleConns: maxConns, maxConnLifetime: '1h' },
  });
  const rpc = (s: Service) => ({ rpc: { grpcPort: ports[s].grpc, membershipPort: ports[s].membership, bindOnIP: HOST_OF[s], ...(s === 'frontend' && { httpPort }) } });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: { defaultStore: 'default', visibilityStore: 'visibility', numHistoryShards: shards, datastores: { default: store('temporal', 20), visibility: store('temporal_visibility', 5) } },
    // No broadcastAddress: each service announces the address it is bound to.
    global: { membership: { maxJoinDuration: '30s' } },
    services: Object.fromEntries(SERVICES.map((s) => [s, rpc(s)])),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `${HOST_OF.frontend}:${ports.frontend.grpc}`, httpAddress: `${HOST_OF.frontend}:${httpPort}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: dynamicConfig, pollInterval: '10s' },
  };
}

const DATABASES = ['temporal', 'temporal_visibility'] as const;
const pgArgs = (port: number) => ['-h', POSTGRES_HOST, '-p', String(port), '-U', 'temporal'];

async function restoreDumps(binaries: ServerBinaries, pgPort: number, dir: string): Promise<void> {
  for (const db of DATABASES) {
    await run(binaries.sql, ['--plugin', 'postgres12', '--ep', POSTGRES_HOST, '-p', String(pgPort), '-u', 'temporal', '--db', db, 'create-database']);
    await run(pgBin('pg_restore'), [...pgArgs(pgPort), '--no-owner', '-d', db, path.join(dir, `${db}.dump`)]);
  }
}

async function setupSchema(binaries: ServerBinaries, pgPort: number): Promise<void> {
  const base = ['--plugin', 'postgres12', '--ep', POSTGRES_HOST, '-p', String(pgPort), '-u', 'temporal'];
  for (const [db, folder] of [['temporal', 'temporal'], ['temporal_visibility', 'visibility']] as const) {
    await run(binaries.sql, [...base, '--db', db, 'create-database']);
    await run(binaries.sql, [...base, '--db', db, 'setup-schema', '-v', '0.0']);
    await run(binaries.sql, [...base, '--db', db, 'update-schema', '-d', path.join(binaries.schemaDir, folder, 'versioned')]);
  }
}

/** PostgreSQL, the schema, and the four services as separate processes; resolves once `namespace` takes workflows. */
export async function startCluster(options: ClusterOptions = {}): Promise<TemporalCluster> {
  const log = options.log ?? (() => {});
  const namespace = options.namespace ?? 'default';
  const binaries = await serverBinaries(log);
  const postgres = await startPostgres();
  try {
    if (options.restoreFrom) await restoreDumps(binaries, postgres.port, options.restoreFrom);
    else await setupSchema(binaries, postgres.port);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'firebreak-cluster-'));
    mkdirSync(path.join(dir, 'config'));
    const ports = {} as Record<Service, { grpc: number; membership: number }>;
    for (const s of SERVICES) ports[s] = { grpc: await lowPort(), membership: await lowPort() };
    const dynamicConfig = path.join(dir, 'dynamicconfig.yaml');
    writeFileSync(dynamicConfig, toYaml({ 'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true, constraints: {} }] }));
    const config = serverConfig(postgres.port, ports, await lowPort(), options.numHistoryShards ?? 4, dynamicConfig);
    writeFileSync(path.join(dir, 'config', 'development.yaml'), toYaml(config));
    const children = new Map<Service, ChildProcess>();
    const address = `${HOST_OF.frontend}:${ports.frontend.grpc}`;

    const startService = async (service: Service) => {
      const out = openSync(path.join(dir, `${service}.log`), 'a');
      const child = track(spawn(binaries.server, ['--root', dir, '--config', 'config', '--env', 'development', '--allow-no-auth', 'start', '--service', service], { stdio: ['ignore', out, out] }));
      children.set(service, child);
      await waitFor(`Temporal ${service}`, 60_000, async () => {
        if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}; see ${path.join(dir, `${service}.log`)}`);
        // The worker service serves no gRPC of its own: it is up once it listens for membership.
        return (await listening(HOST_OF[service], service === 'worker' ? ports[service].membership : ports[service].grpc)) ? true : undefined;
      });
    };
    // One first: every service writes the cluster metadata record on its first start, and two at once collide.
    await startService('frontend');
    await Promise.all(SERVICES.filter((s) => s !== 'frontend').map(startService));

    const connection = await waitFor('Temporal frontend', 60_000, () => Connection.connect({ address, connectTimeout: 1000 }));
    try {
      await waitFor(`namespace ${namespace}`, 60_000, async () => {
        try {
          await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') });
        } catch (error) {
          if (!/already/i.test((error as Error).message)) throw error;
        }
        // Answered from the frontend's namespace cache: the namespace takes workflows from here on.
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        return true;
      });
    } finally {
      await connection.close();
    }
    log(`Temporal ${TEMPORAL_SERVER_VERSION} cluster on ${address} (history ${HOST_OF.history}, matching ${HOST_OF.matching}, worker ${HOST_OF.worker}, PostgreSQL ${POSTGRES_HOST}:${postgres.port}), logs in ${dir}`);

    return {
      address,
      namespace,
      postgres,
      dir,
      kill(service) {
        children.get(service)?.kill('SIGKILL');
      },
      start: startService,
      isRunning: (service) => children.get(service)?.exitCode === null,
      async backup(dir) {
        for (const db of DATABASES) await run(pgBin('pg_dump'), [...pgArgs(postgres.port), '-Fc', '-f', path.join(dir, `${db}.dump`), db]);
      },
      async stop() {
        await Promise.all(
          [...children.values()].map(async (child) => {
            if (child.exitCode !== null) return;
            const exited = once(child, 'exit');
            child.kill('SIGTERM');
            const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(killer);
          }),
        );
        await postgres.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
