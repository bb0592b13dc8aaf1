import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type ApiAnswer, eventually, FirebreakUnderTest } from '../helpers/firebreak';

interface Row {
  id: string;
  temporalStatus: string;
  title?: string;
  severity?: string;
  runbook?: string;
  waitingOn?: string[];
  phase?: string;
  alerts?: number;
}
interface Page {
  incidents: Row[];
  next?: string;
}

describe('GET /v1/incidents: one row per incident, paged with a cursor', function () {
  this.timeout(180_000);
  let fb: FirebreakUnderTest;

  // A low history limit makes an incident continue as new after a few repeats: its earlier runs must not be rows.
  before(async () => {
    fb = await FirebreakUnderTest.start({ env: { FIREBREAK_HISTORY_EVENT_LIMIT: '60' } });
  });
  after(async () => fb?.stop());

  it('pages through every incident exactly once, a rolled-over one included, with closed rows filled without asking their workflow', async () => {
    const tag = randomUUID().slice(0, 8);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await fb.sendAlert({ title: `listing ${tag} ${i}`, severity: 'high', fingerprint: `listing-${tag}-${i}` });
      ids.push((answer.body.incidents as { incidentId: string }[])[0]!.incidentId);
    }
    // Roll the first over: repeats until its run id changes.
    const rolled = fb.client.workflow.getHandle(ids[0]!);
    const firstRun = (await rolled.describe()).runId;
    await eventually(async () => {
      await fb.sendAlert({ title: `listing ${tag} 0`, severity: 'high', fingerprint: `listing-${tag}-0` });
      return (await rolled.describe()).runId !== firstRun ? true : undefined;
    }, 90_000, 'a continue-as-new');
    // Close the last one; its row must still carry its title, from the memo.
    await fb.client.workflow.getHandle(ids[4]!).terminate('test: closed');

    const seen: Row[] = [];
    let cursor: string | undefined;
    let pages = 0;
    await eventually(async () => {
      seen.length = 0;
      pages = 0;
      cursor = undefined;
      do {
        const answer: ApiAnswer<Page> = await fb.api<Page>('GET', `/v1/incidents?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.ok(answer.body.incidents.length <= 2);
        seen.push(...answer.body.incidents);
        cursor = answer.body.next;
        pages += 1;
      } while (cursor);
      // Visibility is eventually consistent: wait until the roll-over and the close show.
      return ids.every((id) => seen.some((r) => r.id === id)) && seen.find((r) => r.id === ids[4])?.temporalStatus === 'TERMINATED' ? true : undefined;
    }, 30_000, 'every incident listed');

    const mine = seen.filter((r) => ids.includes(r.id));
    assert.equal(mine.length, ids.length, `one row per incident, got ${JSON.stringify(mine.map((r) => r.id))}`);
    assert.ok(pages >= 3, 'five incidents at two a page take three pages');
    const closed = mine.find((r) => r.id === ids[4])!;
    assert.deepEqual([closed.title, closed.severity, closed.runbook], [`listing ${tag} 4`, 'high', 'generic-alert-notice@1']);
    const running = mine.find((r) => r.id === ids[1])!;
    assert.deepEqual(running.waitingOn, ['approve-notice']);

    const bad = await fb.api('GET', '/v1/incidents?cursor=not%20a%20cursor');
    assert.equal(bad.status, 400);
    const tooMany = await fb.api('GET', '/v1/incidents?limit=1000');
    assert.equal(tooMany.status, 400);
  });

  // Last in this suite: it stops the worker. A status query needs the worker, so rows that still show what they wait
  // on and their alert count came from the summary memo (a per-row query would fail after two seconds and leave them out).
  it('answers every row from the summary memo, with no status query: the worker stopped, rows still show what they wait on', async () => {
    const tag = randomUUID().slice(0, 8);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await fb.sendAlert({ title: `memo rows ${tag} ${i}`, severity: 'high', fingerprint: `memo-rows-${tag}-${i}` });
      ids.push((answer.body.incidents as { incidentId: string }[])[0]!.incidentId);
    }
    const mine = async () => {
      const answer = await fb.api<Page>('GET', '/v1/incidents?limit=50&running=true');
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.incidents.filter((r) => ids.includes(r.id));
    };
    await eventually(async () => ((await mine()).filter((r) => r.waitingOn?.length).length === ids.length ? true : undefined), 60_000, 'every incident waiting on its approval');

    await fb.stopWorker();
    const rows = await mine();
    assert.equal(rows.length, ids.length);
    for (const row of rows) {
      assert.deepEqual([row.title?.startsWith(`memo rows ${tag}`), row.phase, row.waitingOn, row.alerts, row.runbook], [true, 'running', ['approve-notice'], 1, 'generic-alert-notice@1'], JSON.stringify(row));
    }
  });
});
