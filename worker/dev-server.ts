import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from './logging';
import { temporalCliPath } from './temporal-binaries';

export interface DevServerOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  log: Logger;
  /** The UI's remote codec (Firebreak's `/codec`), so it shows decrypted payloads; absent: the UI shows ciphertext. */
  codecEndpoint?: string;
  /** Startup budget; the first start creates the SQLite schema and takes longest. */
  readyTimeoutMs?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  /** The server's process id (tests freeze it with SIGSTOP to see how callers behave when Temporal hangs). */
  pid?: number;
  stop(): Promise<void>;
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitUntilServing(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Temporal dev server exited with code ${child.exitCode} during start-up`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal dev server did not answer on ${address} within ${timeoutMs} ms: ${(lastError as Error)?.message}`);
}

/**
 * Starts the embedded Temporal dev server: state in <dataDir>/temporal/temporal.db, bound to loopback only, UI on
 * loopback. WAL with synchronous=NORMAL survives a process crash (synchronous=OFF would not); see platform facts.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${options.port}`;
  if (await portInUse(options.port)) {
    throw new Error(`port ${options.port} is already in use: is another Firebreak or Temporal running? Set FIREBREAK_TEMPORAL_PORT or TEMPORAL_ADDRESS.`);
  }
  const dir = path.join(options.dataDir, 'temporal');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logFile = openSync(path.join(dir, 'server.log'), 'a');
  const args = [
    'server', 'start-dev',
    '--db-filename', path.join(dir, 'temporal.db'),
    '--ip', '127.0.0.1',
    '--port', String(options.port),
    '--ui-ip', '127.0.0.1',
    '--ui-port', String(options.uiPort),
    '--namespace', options.namespace,
    '--sqlite-pragma', 'journal_mode=WAL',
    '--sqlite-pragma', 'synchronous=NORMAL',
    '--ui-disable-news-fetch',
    ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
  ];
  const binary = temporalCliPath();
  options.log.info({ binary, address, ui: `http://127.0.0.1:${options.uiPort}` }, 'starting embedded Temporal dev server');
  // detached: Ctrl-C in the terminal must not reach the server first; we stop it last, after the worker drained.
  const child = spawn(binary, args, { stdio: ['ignore', logFile, logFile], detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntilServing(address, child, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
