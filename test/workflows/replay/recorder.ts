import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { type RunbookTestEnvironment, startRunbookTestEnvironment } from '../../../cli/runbook-test/driver';
import { createLogger } from '../../../worker/logging';
import { installRuntimeLogging } from '../../../worker/temporal-worker';
import { HISTORIES_DIR } from './scenarios';

/*
 * What every record-*.ts script shares: the environment it records on, writing a history where the replay test reads
 * it, and the exit code. REPLAY_HISTORIES_OUT=<dir> writes elsewhere, to try a recorder without touching the committed
 * histories (a fresh recording never matches them byte for byte: ids and times differ).
 */
const OUT_DIR = process.env.REPLAY_HISTORIES_OUT ?? HISTORIES_DIR;

/** Writes one history as binary protobuf and says so: its event count, then `details` (what the recorder counted). */
export function saveHistory(history: temporal.api.history.v1.IHistory, name: string, ...details: string[]): void {
  mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, name);
  writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
  console.log(`recorded ${path.relative(process.cwd(), file)} (${[`${history.events?.length ?? 0} events`, ...details].join(', ')})`);
}

/** The `runbook test` environment (time-skipping server and bundle) with the SDK's own logging held to warnings. */
export async function quietRunbookTestEnvironment(): Promise<RunbookTestEnvironment & { teardown(): Promise<void> }> {
  installRuntimeLogging(createLogger('warn'));
  const shared = await startRunbookTestEnvironment();
  return { ...shared, teardown: () => shared.env.teardown() };
}

/** Runs a recorder on an environment it starts and always tears down; the process exits 0, or 1 with the error. */
export function record<E extends { teardown(): Promise<void> }>(start: () => Promise<E>, body: (env: E) => Promise<void>): void {
  const main = async (): Promise<void> => {
    const env = await start();
    try {
      await body(env);
    } finally {
      await env.teardown();
    }
  };
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
