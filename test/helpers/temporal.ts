import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleFirebreakWorkflows } from '../../worker/bundle-workflows';
import { type DevServer, startDevServer } from '../../worker/dev-server';
import { createLogger } from '../../worker/logging';
import { installRuntimeLogging } from '../../worker/temporal-worker';
import { freePort } from './net';

/*
 * One real Temporal dev server (the same binary and start-up code `npm start` uses) shared by the whole suite, and
 * one workflow bundle. Tests isolate themselves with their own task queue and workflow IDs.
 */

const testLogLevel = process.env.FIREBREAK_TEST_LOG_LEVEL ?? 'silent';
const logTaps = new Set<(line: string) => void>();
export const testLog = createLogger(testLogLevel, {
  write(line: string) {
    for (const tap of logTaps) tap(line);
    if (testLogLevel !== 'silent') process.stdout.write(line);
  },
});

/** Receives every line the suite's logger writes, at every level, until the returned function is called. */
export function tapTestLog(tap: (line: string) => void): () => void {
  logTaps.add(tap);
  testLog.level = 'trace';
  return () => {
    logTaps.delete(tap);
    if (logTaps.size === 0) testLog.level = testLogLevel;
  };
}
installRuntimeLogging(testLog);

let shared: Promise<DevServer> | undefined;
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
const owned: DevServer[] = [];

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `firebreak-${prefix}-`));
}

/** Starts a dev server persisting to `dataDir` (so a test can stop and restart it). */
export async function startTemporal(dataDir: string = tempDir('temporal'), port?: number): Promise<DevServer & { port: number; dataDir: string }> {
  const serverPort = port ?? (await freePort());
  const server = await startDevServer({ dataDir, port: serverPort, uiPort: await freePort(), namespace: 'default', log: testLog, readyTimeoutMs: 90_000 });
  owned.push(server);
  return Object.assign(server, { port: serverPort, dataDir });
}

export function sharedTemporal(): Promise<DevServer> {
  shared ??= startTemporal();
  return shared;
}

export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleFirebreakWorkflows();
  return bundle;
}

/** Mocha root hook (see .mocharc.json): stop every server the suite started. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await Promise.all(owned.map((server) => server.stop()));
  },
};
