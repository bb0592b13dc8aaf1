import { spawn } from 'node:child_process';
import path from 'node:path';
import { FirebreakUnderTest } from '../test/helpers/firebreak';
import { freePort } from '../test/helpers/net';
import { tempDir } from '../test/helpers/temporal';
import { percentile } from './latency';
import { stopOnExit } from './process-cleanup';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JS beside the bin script
const { buildDist, distIsFresh } = require('../bin/dist.js') as { buildDist(): Promise<void>; distIsFresh(): boolean };

const bin = path.join(__dirname, '..', 'bin', 'firebreak.js');

export interface CliBenchResult {
  runs: number;
  /** Compiling dist/ (what `npm install` does once), or null when it was already fresh. */
  compileMs: number | null;
  bareNodeP50Ms: number;
  /** A command answered without a server. */
  offlineCommand: string;
  offlineP50Ms: number;
  /** A command answered by the local HTTP service. */
  serverCommand: string;
  serverP50Ms: number;
  /** `firebreak start` until /healthz answers 200: first start in a fresh data dir, then a second start on it. */
  startFirstRunMs: number;
  startAfterFirstRunMs: number;
}

function timeProcess(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

/** Starts `firebreak start` on fresh ports and times it until /healthz says 200; then stops it with SIGINT. */
async function timeStart(dataDir: string): Promise<number> {
  const [http, temporal, ui] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = { ...process.env, FIREBREAK_DATA_DIR: dataDir, FIREBREAK_HTTP_PORT: String(http), FIREBREAK_TEMPORAL_PORT: String(temporal), FIREBREAK_TEMPORAL_UI_PORT: String(ui) };
  delete env.TEMPORAL_ADDRESS; // the embedded dev server, as on a new machine
  delete env.FIREBREAK_CONFIG;
  const started = Date.now();
  const child = spawn(process.execPath, [bin, 'start'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  stopOnExit(async () => {
    if (child.exitCode === null) child.kill('SIGINT');
    await exited;
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`firebreak start exited ${child.exitCode}: ${stderr}`);
      if (Date.now() - started > 180_000) throw new Error('firebreak start not healthy within 180 s');
      const ok = await fetch(`http://127.0.0.1:${http}/healthz`).then((r) => r.ok, () => false);
      if (ok) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill('SIGINT');
    await exited;
  }
}

/**
 * Whole processes, as a user waits for them: `firebreak <command>` against a bare `node -e 0`, in alternating runs;
 * one read command that needs no server and one the local HTTP service answers; then `firebreak start` to healthy.
 */
export async function benchCli(opts: { runs?: number } = {}): Promise<CliBenchResult> {
  const runs = opts.runs ?? 15;
  let compileMs: number | null = null;
  if (!distIsFresh()) {
    const t = Date.now();
    await buildDist();
    compileMs = Date.now() - t;
  }
  const fb = await FirebreakUnderTest.start();
  try {
    const serverEnv = { ...process.env, FIREBREAK_URL: fb.baseUrl, FIREBREAK_TOKEN: fb.adminToken };
    const offlineCommand = 'deadlines list';
    const serverCommand = 'incidents';
    const bare: number[] = [];
    const offline: number[] = [];
    const server: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Measure the compiled path a user gets; here other work may be editing the sources meanwhile.
      if (!distIsFresh()) await buildDist();
      bare.push(await timeProcess(['-e', '0']));
      offline.push(await timeProcess([bin, ...offlineCommand.split(' ')]));
      server.push(await timeProcess([bin, ...serverCommand.split(' ')], serverEnv));
    }
    const p50 = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
    const dataDir = tempDir('bench-start');
    const startFirstRunMs = await timeStart(dataDir);
    const startAfterFirstRunMs = await timeStart(dataDir);
    return { runs, compileMs, bareNodeP50Ms: p50(bare), offlineCommand, offlineP50Ms: p50(offline), serverCommand, serverP50Ms: p50(server), startFirstRunMs, startAfterFirstRunMs };
  } finally {
    await fb.stop();
  }
}
