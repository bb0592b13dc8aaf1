import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { FirebreakUnderTest } from '../test/helpers/firebreak';
import { startTemporal, tempDir } from '../test/helpers/temporal';
import { percentile } from './latency';

/*
 * GET /v1/incidents with `incidents` open incidents, each waiting on a question (issue 19): the client's time for the
 * first page of 50, against a bare `workflow.list` page on the same server. Run alone (2 cores are easily shared):
 *   npx tsx bench/api-listing.ts [incidents] [rounds]
 * Prints one JSON line. Same setup as bench/console.ts.
 */
interface Figures {
  p50Ms: number;
  p95Ms: number;
}

const figures = (samples: number[]): Figures => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => Math.round(percentile(sorted, p) * 10) / 10;
  return { p50Ms: at(50), p95Ms: at(95) };
};

export async function benchApiListing(incidents = 1_000, rounds = 20): Promise<{ incidents: number; rows: number; apiPage: Figures; bareList: Figures }> {
  const temporal = await startTemporal();
  const runbooks = tempDir('runbooks');
  copyFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'runbooks', 'console', 'oncall-triage.yaml'), path.join(runbooks, 'oncall-triage.yaml'));
  const fb = await FirebreakUnderTest.start({ address: temporal.address, env: { FIREBREAK_RUNBOOKS_DIR: runbooks } });
  try {
    let next = 0;
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < incidents) {
          next += 1;
          const declared = await fb.api('POST', '/v1/incidents', { title: `bench incident ${next}`, runbook: 'oncall-triage', severity: 'low' });
          if (declared.status !== 201) throw new Error(`declare: ${declared.status} ${JSON.stringify(declared.body)}`);
          ids.push((declared.body as { incidentId: string }).incidentId);
        }
      }),
    );
    const query = `WorkflowType = 'incidentWorkflow' AND TaskQueue = '${fb.config.temporal.taskQueue}'`;
    while ((await fb.client.workflow.count(query)).count < incidents) await new Promise((r) => setTimeout(r, 500));
    // Every incident at its question, so the worker is idle when the timing starts.
    for (const id of ids) {
      while ((await fb.api<{ steps?: { id: string; state: string }[] }>('GET', `/v1/incidents/${id}`)).body.steps?.some((s) => s.id === 'triage' && s.state === 'waiting') !== true) await new Promise((r) => setTimeout(r, 200));
    }
    const page = async () => {
      const started = performance.now();
      const answer = await fb.api<{ incidents: { waitingOn?: string[] }[] }>('GET', '/v1/incidents?limit=50');
      const ms = performance.now() - started;
      if (answer.status !== 200) throw new Error(`list: ${answer.status}`);
      // Each row must say what it waits on, or the page would be fast by showing less.
      const waits = answer.body.incidents.filter((r) => r.waitingOn?.includes('triage')).length;
      if (waits !== answer.body.incidents.length) throw new Error(`${waits} of ${answer.body.incidents.length} rows show what they wait on`);
      return { ms, rows: answer.body.incidents.length };
    };
    let rows = (await page()).rows; // warm-up
    const apiPage: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const timed = await page();
      apiPage.push(timed.ms);
      rows = timed.rows;
    }
    const bareList: number[] = [];
    for (let i = 0; i <= rounds; i++) {
      const started = performance.now();
      let seen = 0;
      for await (const _info of fb.client.workflow.list({ query, pageSize: rows })) if (++seen >= rows) break;
      if (i > 0) bareList.push(performance.now() - started);
    }
    return { incidents, rows, apiPage: figures(apiPage), bareList: figures(bareList) };
  } finally {
    await fb.stop();
    await temporal.stop();
  }
}

if (require.main === module) {
  benchApiListing(Number(process.argv[2] ?? 1_000), Number(process.argv[3] ?? 20)).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
