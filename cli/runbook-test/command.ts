import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { RunbookCatalog } from '../../ingress/runbook-catalog';
import { formatIssue } from '../../shared/source-issue';
import { loadRunbookFile } from '../../runbooks/load';
import { type ContainmentPlanner, containmentPlanner } from '../../activities/containment/vendors';
import { loadConfig } from '../../worker/config';
import { containmentFromConfig, httpEndpointsFromConfig } from '../../worker/http-endpoints';
import { createLogger } from '../../worker/logging';
import { installRuntimeLogging } from '../../worker/temporal-worker';
import type { CommandOutput } from '../commands/runbook';
import { type RunbookTestEnvironment, type RunbookTestReport, runRunbookTest } from './driver';
import { renderRunbookTest, unmetExpectations } from './render';
import { RecordedAlert, RunbookTestScript } from './script';

export interface RunbookTestCommand {
  file: string;
  /** A JSON file, or inline JSON when it starts with `{`. */
  alert?: string;
  /** A YAML script file; absent: nobody answers, so the run stops at the first person it waits for. */
  script?: string;
  /** Where child runbooks are looked up; default: the runbook's own directory. */
  library?: string;
  /** A Firebreak config file: containment steps then also show the exact requests its vendors would be sent. */
  config?: string;
}

/** The dry-run planner of the vendors a config file chooses; its secrets must resolve (they are never sent). */
function plannerFrom(file: string): Parsed<ContainmentPlanner> {
  try {
    const config = loadConfig({ ...process.env, FIREBREAK_CONFIG: file });
    const noEvidence = { store: async () => Promise.reject(new Error('runbook test stores no evidence')) };
    return { ok: true, value: containmentPlanner(containmentFromConfig(config, httpEndpointsFromConfig(config), noEvidence).vendors ?? {}) };
  } catch (error) {
    return { ok: false, output: { stdout: '', stderr: `runbook test: --config ${file}: ${(error as Error).message}\n`, exitCode: 2 } };
  }
}

type Parsed<T> = { ok: true; value: T } | { ok: false; output: CommandOutput };

function parseInput<T>(what: 'alert' | 'script', source: string, read: (text: string) => unknown, schema: z.ZodType<T>): Parsed<T> {
  let raw: unknown;
  try {
    raw = read(what === 'alert' && source.trimStart().startsWith('{') ? source : readFileSync(source, 'utf8'));
  } catch (error) {
    return { ok: false, output: { stdout: '', stderr: `runbook test: cannot read ${what} ${source}: ${(error as Error).message.split('\n')[0]}\n`, exitCode: 2 } };
  }
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  const lines = parsed.error.issues.map((issue) => `${source}: ${what}.invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}\n`);
  return { ok: false, output: { stdout: '', stderr: lines.join(''), exitCode: 2 } };
}

/**
 * `firebreak runbook test`: runs the runbook on the time-skipping test server with recorded fake actions and the
 * script's people, and prints the path it took. Exit 0 when it finished as expected (completed, or the script's
 * `expect`), 1 when it did not or stopped waiting for someone, 2 when an input could not be read.
 */
export async function testRunbook(command: RunbookTestCommand, shared?: RunbookTestEnvironment): Promise<CommandOutput & { report?: RunbookTestReport }> {
  const loaded = await loadRunbookFile(command.file);
  if (!loaded.ok) return { stdout: '', stderr: loaded.issues.map((issue) => `${formatIssue(command.file, issue)}\n`).join(''), exitCode: 1 };
  const alert = command.alert === undefined ? undefined : parseInput('alert', command.alert, (text) => JSON.parse(text), RecordedAlert);
  if (alert && !alert.ok) return alert.output;
  const script = command.script === undefined ? { ok: true as const, value: RunbookTestScript.parse({}) } : parseInput('script', command.script, (text) => parseYaml(text, { maxAliasCount: 100 }), RunbookTestScript);
  if (!script.ok) return script.output;
  const planner = command.config === undefined ? undefined : plannerFrom(command.config);
  if (planner && !planner.ok) return planner.output;

  // The test server and worker log through our sink at warnings and above, so the path is what the author reads.
  installRuntimeLogging(createLogger(process.env.FIREBREAK_LOG_LEVEL ?? 'warn'));
  const catalog = new RunbookCatalog(command.library ?? path.dirname(command.file), createLogger('silent'));
  const children = await catalog.childrenOf(loaded.pinned);
  const report = await runRunbookTest({ pinned: loaded.pinned, children, alert: alert?.value, script: script.value, planner: planner?.value }, shared);
  const expectedPhase = script.value.expect?.phase ?? 'completed';
  const passed = report.stuckOn.length === 0 && report.status.phase === expectedPhase && unmetExpectations(report, script.value).length === 0;
  return { stdout: renderRunbookTest(report, loaded.pinned, children, script.value), stderr: '', exitCode: passed ? 0 : 1, report };
}
