import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { FirebreakUnderTest } from '../test/helpers/firebreak';
import { startTemporal, tempDir } from '../test/helpers/temporal';
import { percentile } from './latency';
import type { Row } from './rows';

export interface ConsoleBenchOptions {
  /** Open incidents in the list (default 1,000). */
  incidents?: number;
  /** Timed requests of each kind (default 20). */
  rounds?: number;
}

export interface ConsoleBenchResult {
  incidents: number;
  rows: number;
  /** GET /console/incidents as the incident commander (sees every incident): the server's time for the first page (Server-Timing). */
  listPage: { p50Ms: number; p95Ms: number; p99Ms: number };
  /** The same first page of incidents as a bare `workflow.list` from a Temporal client, same server, same run. */
  bareList: { p50Ms: number; p95Ms: number; p99Ms: number };
  /** The list as a person who may see none of them: it looks through all of them (by cursor) and shows none. */
  scanPage: { p50Ms: number; p95Ms: number; p99Ms: number };
  /** A bare `workflow.list` of every incident, same page size. */
  bareScan: { p50Ms: number; p95Ms: number; p99Ms: number };
}

const figures = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => Math.round(percentile(sorted, p) * 10) / 10;
  return { p50Ms: at(50), p95Ms: at(95), p99Ms: at(99) };
};

/**
 * The console's incident list with `incidents` open incidents (each waiting on a question): the server's time to list
 * and render the first page from the incidents' summary memos (its Server-Timing header), against a bare
 * `workflow.list` of one page.
 */
export async function benchConsole(opts: ConsoleBenchOptions = {}): Promise<ConsoleBenchResult> {
  const incidents = opts.incidents ?? 1_000;
  const rounds = opts.rounds ?? 20;
  const temporal = await startTemporal();
  const runbooks = tempDir('runbooks');
  copyFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'runbooks', 'console', 'oncall-triage.yaml'), path.join(runbooks, 'oncall-triage.yaml'));
  // Legal holds no role of the on-call runbook: an outsider to every incident here.
  const fb = await FirebreakUnderTest.start({ address: temporal.address, env: { FIREBREAK_RUNBOOKS_DIR: runbooks }, people: [{ id: 'outsider', roles: ['legal'] }] });
  try {
    let next = 0;
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < incidents) {
          const i = next++;
          const declared = await fb.api('POST', '/v1/incidents', { title: `bench incident ${i}`, runbook: 'oncall-triage', severity: 'low' });
          if (declared.status !== 201) throw new Error(`declare: ${declared.status} ${JSON.stringify(declared.body)}`);
          ids.push((declared.body as { incidentId: string }).incidentId);
        }
      }),
    );
    // Visibility is eventually consistent: wait until the list sees every incident.
    const query = `WorkflowType = 'incidentWorkflow' AND TaskQueue = '${fb.config.temporal.taskQueue}'`;
    while ((await fb.client.workflow.count(query)).count < incidents) await new Promise((r) => setTimeout(r, 500));
    // And until every incident has reached its question, so the worker is idle when the timing starts.
    for (const id of ids) {
      while ((await fb.api<{ steps?: { id: string; state: string }[] }>('GET', `/v1/incidents/${id}`)).body.steps?.some((s) => s.id === 'triage' && s.state === 'waiting') !== true) await new Promise((r) => setTimeout(r, 200));
    }

    const signIn = async (token: string) => {
      const answer = await fetch(`${fb.baseUrl}/console/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }), redirect: 'manual' });
      const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0]!;
      if (!cookie.startsWith('fb_console=')) throw new Error(`console sign-in failed: ${answer.status}`);
      return cookie;
    };
    const commander = await signIn(fb.adminToken);
    const page = async (cookie = commander) => {
      const started = performance.now();
      const response = await fetch(`${fb.baseUrl}/console/incidents`, { headers: { cookie } });
      const html = await response.text();
      if (response.status !== 200) throw new Error(`list page: ${response.status}`);
      const server = /dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '');
      const rows = (html.match(/<tr data-incident=/g) ?? []).length;
      // Each row must say what its incident waits on (its question), or the page would be fast by showing less.
      const waits = (html.match(/<code>triage<\/code>/g) ?? []).length;
      if (waits !== rows) throw new Error(`list page: ${waits} of ${rows} rows show what they wait on`);
      return { ms: server ? Number(server[1]) : performance.now() - started, rows };
    };
    let rows = (await page()).rows; // warm-up: caches, connections, the worker's sticky cache
    const listPage: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const timed = await page();
      listPage.push(timed.ms);
      rows = timed.rows;
    }
    const bareList: number[] = [];
    for (let i = 0; i <= rounds; i++) {
      const started = performance.now();
      let seen = 0;
      for await (const _info of fb.client.workflow.list({ query, pageSize: rows })) if (++seen >= rows) break;
      if (i > 0) bareList.push(performance.now() - started);
    }
    const outsider = await signIn('token-outsider');
    const scanPage: number[] = [];
    for (let i = 0; i <= rounds; i++) {
      const timed = await page(outsider);
      if (timed.rows !== 0) throw new Error(`the outsider sees ${timed.rows} incidents`);
      if (i > 0) scanPage.push(timed.ms);
    }
    const bareScan: number[] = [];
    for (let i = 0; i <= rounds; i++) {
      const started = performance.now();
      let seen = 0;
      for await (const _info of fb.client.workflow.list({ query, pageSize: 200 })) if (++seen >= incidents) break;
      if (i > 0) bareScan.push(performance.now() - started);
    }
    return { incidents, rows, listPage: figures(listPage), bareList: figures(bareList), scanPage: figures(scanPage), bareScan: figures(bareScan) };
  } finally {
    await fb.stop();
    await temporal.stop();
  }
}

export function consoleRows(r: ConsoleBenchResult): Row[] {
  const bench = `console ×${r.incidents}`;
  return [
    { bench, measure: `list first page p50 (${r.rows} rows; issue target < 300 ms)`, firebreak: r.listPage.p50Ms, baseline: r.bareList.p50Ms, unit: 'ms' },
    { bench, measure: `list first page p95 (${r.rows} rows)`, firebreak: r.listPage.p95Ms, baseline: r.bareList.p95Ms, unit: 'ms' },
    { bench, measure: `list first page p99 (${r.rows} rows)`, firebreak: r.listPage.p99Ms, baseline: r.bareList.p99Ms, unit: 'ms' },
    { bench, measure: `list seeing none of ${r.incidents} p50 (looks through all)`, firebreak: r.scanPage.p50Ms, baseline: r.bareScan.p50Ms, unit: 'ms' },
    { bench, measure: `list seeing none of ${r.incidents} p95`, firebreak: r.scanPage.p95Ms, baseline: r.bareScan.p95Ms, unit: 'ms' },
  ];
}
