import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchAlertStart } from './alert-start';
import { benchAudit } from './audit';
import { renderBarChart } from './chart';

/*
 * `npm run bench [-- name...]`: each benchmark measures Firebreak against a bare baseline in the same run, prints a
 * table and one JSON line, and writes an SVG chart of the comparisons to bench/results/.
 */

type Row = { bench: string; measure: string; firebreak: number; baseline: number; unit: string };

const benches: Record<string, () => Promise<Row[]>> = {
  'alert-start': async () => {
    const r = await benchAlertStart();
    return [
      { bench: 'alert-start', measure: 'throughput', firebreak: r.firebreak.perSecond, baseline: r.bare.perSecond, unit: 'starts/s' },
      { bench: 'alert-start', measure: 'p50 latency', firebreak: r.firebreak.p50Ms, baseline: r.bare.p50Ms, unit: 'ms' },
      { bench: 'alert-start', measure: 'p99 latency', firebreak: r.firebreak.p99Ms, baseline: r.bare.p99Ms, unit: 'ms' },
    ];
  },
  audit: async () => {
    const r = await benchAudit();
    return [
      { bench: 'audit', measure: 'durable appends', firebreak: r.auditAppendsPerSec, baseline: r.plainAppendsPerSec, unit: 'records/s' },
      { bench: 'audit', measure: 'verify', firebreak: r.verifyRecordsPerSec, baseline: Number.NaN, unit: 'records/s' },
    ];
  },
};

const fmt = (n: number): string => (Number.isNaN(n) ? '-' : n >= 100 ? n.toFixed(0) : n.toFixed(2));

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length ? wanted : Object.keys(benches);
  const unknown = names.filter((n) => !benches[n]);
  if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
  const rows: Row[] = [];
  for (const name of names) {
    process.stderr.write(`[bench] ${name} …\n`);
    const started = Date.now();
    rows.push(...(await benches[name]!()));
    process.stderr.write(`[bench] ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const header = ['bench', 'measure', 'firebreak', 'baseline', 'ratio', 'unit'];
  const table = rows.map((r) => [r.bench, r.measure, fmt(r.firebreak), fmt(r.baseline), fmt(r.firebreak / r.baseline), r.unit]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.svg'), renderBarChart(rows.filter((r) => !Number.isNaN(r.baseline))));
  console.log(JSON.stringify({ at: new Date().toISOString(), rows }));
  console.error(`[bench] chart: ${path.join(dir, 'latest.svg')}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
