import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchAlertStart } from './alert-start';
import { benchAudit } from './audit';
import { describeTarget, ratioAgainstTarget, renderBarChart } from './chart';
import { benchCli } from './cli';
import { benchClocks } from './clocks';
import { benchConsole, consoleRows } from './console';
import { benchIngress } from './ingress';
import { benchInterpreter } from './interpreter';
import { exitAfterCleanup, installCleanupHandlers, stopOnExit } from './process-cleanup';
import { type Row, alertStartRows, auditRows, cliRows, clockRows, ingressRows, interpreterRows, slackRows } from './rows';
import { benchSlack } from './slack';
import { mochaHooks as startedServers } from '../test/helpers/temporal';

/*
 * `npm run bench [-- name...] [-- --clocks-incidents N] [-- --clocks-due SECONDS]`: each benchmark measures Firebreak against a bare baseline in
 * the same run, prints a table and one JSON line (rows plus every benchmark's full result), and writes an SVG chart of
 * the comparisons to bench/results/.
 */

interface RunnerOptions {
  /** Open incidents for the clocks benchmark: 1000 keeps a full run short; the figure is 10,000. */
  clocksIncidents: number;
  /** Seconds from each incident's start to the moment its alarms are due (default 60). */
  clocksDueSeconds?: number;
}

type Bench = (options: RunnerOptions) => Promise<{ result: unknown; rows: Row[] }>;

const bench = <R>(run: (options: RunnerOptions) => Promise<R>, rows: (result: R) => Row[]): Bench => async (options) => {
  const result = await run(options);
  return { result, rows: rows(result) };
};

const benches: Record<string, Bench> = {
  'alert-start': bench(() => benchAlertStart(), alertStartRows),
  audit: bench(() => benchAudit(), auditRows),
  ingress: bench(() => benchIngress(), ingressRows),
  clocks: bench((o) => benchClocks({ incidents: o.clocksIncidents, dueAfterSeconds: o.clocksDueSeconds }), clockRows),
  slack: bench(() => benchSlack(), slackRows),
  interpreter: bench(() => benchInterpreter(), interpreterRows),
  console: bench(() => benchConsole(), consoleRows),
  cli: bench(() => benchCli(), cliRows),
};

function parseCommandLine(): { names: string[]; options: RunnerOptions } {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'clocks-incidents': { type: 'string', default: '1000' }, 'clocks-due': { type: 'string' } } });
  const clocksIncidents = Number(values['clocks-incidents']);
  if (!Number.isInteger(clocksIncidents) || clocksIncidents < 1) throw new Error(`--clocks-incidents must be a positive integer, got ${values['clocks-incidents']}`);
  const clocksDueSeconds = values['clocks-due'] === undefined ? undefined : Number(values['clocks-due']);
  if (clocksDueSeconds !== undefined && !(clocksDueSeconds > 0)) throw new Error(`--clocks-due must be a positive number of seconds, got ${values['clocks-due']}`);
  const names = positionals.length ? positionals : Object.keys(benches);
  const unknown = names.filter((n) => !benches[n]);
  if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
  return { names, options: { clocksIncidents, clocksDueSeconds } };
}

const fmt = (n: number): string => (Number.isNaN(n) ? '-' : Math.abs(n) >= 100 ? n.toFixed(0) : n.toFixed(2));

function printTable(rows: readonly Row[]): void {
  const header = ['bench', 'measure', 'firebreak', 'baseline', 'ratio', 'unit', 'target', 'met'];
  const met = (r: Row) => {
    const against = ratioAgainstTarget(r);
    return against ? (against.met ? 'yes' : 'NO') : '';
  };
  const table = rows.map((r) => [r.bench, r.measure, fmt(r.firebreak), fmt(r.baseline), fmt(r.firebreak / r.baseline), r.unit, describeTarget(r), met(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
}

async function main(): Promise<void> {
  const { names, options } = parseCommandLine();
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  const loadBefore = os.loadavg();
  for (const name of names) {
    process.stderr.write(`[bench] ${name} …\n`);
    const started = Date.now();
    const measured = await benches[name]!(options);
    rows.push(...measured.rows);
    results[name] = measured.result;
    process.stderr.write(`[bench] ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify({ rows: measured.rows, load: os.loadavg() })}\n`);
  }
  printTable(rows);
  // The machine's load (1, 5, 15 min) at the start and end: ratios come from one run, absolute figures depend on it.
  const load = { before: loadBefore.map((l) => Number(l.toFixed(2))), after: os.loadavg().map((l) => Number(l.toFixed(2))), cpus: os.cpus().length };
  console.log(`load average before ${load.before.join(' ')}, after ${load.after.join(' ')} (${load.cpus} CPUs)`);
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  writeFileSync(path.join(dir, 'latest.svg'), renderBarChart(rows, `${at}, ${names.join(', ')}; load average ${load.before.join(' ')} → ${load.after.join(' ')} on ${load.cpus} CPUs`));
  console.log(JSON.stringify({ at, options, load, rows, results }));
  console.error(`[bench] chart: ${path.join(dir, 'latest.svg')}`);
}

installCleanupHandlers();
// Dev servers started through the test helpers (the shared one included): stopped however the run ends.
stopOnExit(() => startedServers.afterAll());
main().then(
  () => exitAfterCleanup(0),
  (error) => {
    console.error(error);
    return exitAfterCleanup(1);
  },
);
