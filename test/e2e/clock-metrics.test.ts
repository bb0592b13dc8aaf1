import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

const HOUR = 3_600_000;
const FIXTURE = 'gdpr-clock-metrics.yaml';

/** The value of one `firebreak_deadline_clocks{state=...}` sample (or the unlabelled unread gauge) in a scrape. */
function sample(scrape: string, series: string): number | undefined {
  const line = scrape.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('deadline clocks in /metrics', function () {
  this.timeout(120_000);
  let fb: FirebreakUnderTest;

  before(async () => {
    const runbooks = tempDir('runbooks');
    copyFileSync(path.join(__dirname, '..', 'fixtures', 'runbooks', FIXTURE), path.join(runbooks, FIXTURE));
    fb = await FirebreakUnderTest.start({ people: [{ id: 'dana', roles: ['dpo'] }], env: { FIREBREAK_RUNBOOKS_DIR: runbooks } });
  });
  after(async () => fb?.stop());

  const scrape = async (): Promise<string> => (await fetch(`${fb.baseUrl}/metrics`)).text();

  /** Opens an incident whose GDPR clock started from an awareness time `agoMs` before now, and waits until it shows. */
  async function incidentAwareFor(agoMs: number): Promise<string> {
    const declared = await fb.api<{ incidentId: string }>('POST', '/v1/incidents', { title: `breach aware ${agoMs / HOUR} h ago`, runbook: 'gdpr-clock-metrics' });
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    const id = declared.body.incidentId;
    await eventually(async () => {
      const answered = await fb.api('POST', `/v1/incidents/${id}/steps/aware-at/answer`, { value: new Date(Date.now() - agoMs).toISOString() }, 'token-dana');
      return answered.status === 200 ? true : undefined;
    }, 20_000, 'aware-at answered');
    await eventually(async () => ((await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`)).body.clocks?.length === 1 ? true : undefined), 20_000, 'clock started');
    return id;
  }

  it('counts running, at-risk and missed clocks of this deployment’s running incidents, read from their status', async () => {
    await incidentAwareFor(0); // 72 h left
    await incidentAwareFor(71.5 * HOUR); // 30 min left: inside the 1 h near-deadline escalation
    const missed = await incidentAwareFor(80 * HOUR); // 8 h past the deadline

    const counts = await eventually(async () => {
      const text = await scrape();
      const seen = ['running', 'at_risk', 'missed'].map((state) => sample(text, `firebreak_deadline_clocks{state="${state}"}`));
      return seen.every((n) => n === 1) ? { seen, unread: sample(text, 'firebreak_deadline_clocks_unread_incidents') } : undefined;
    }, 20_000, 'one clock in each state');
    assert.equal(counts.unread, 0);

  });

  it('keeps counting a clock its incident left running at close: the duty outlives the incident', async () => {
    const before = await eventually(async () => {
      const text = await scrape();
      const missed = sample(text, 'firebreak_deadline_clocks{state="missed"}');
      return missed !== undefined && sample(text, 'firebreak_deadline_clocks_unread_incidents') === 0 ? missed : undefined;
    }, 20_000, 'a clean scrape');
    const missed = await incidentAwareFor(80 * HOUR);
    const open = await incidentAwareFor(0);
    await eventually(async () => (sample(await scrape(), 'firebreak_deadline_clocks{state="missed"}') === before + 1 ? true : undefined), 20_000, 'the new missed clock counted');
    const running = sample(await scrape(), 'firebreak_deadline_clocks{state="running"}')!;

    for (const id of [missed, open]) {
      const aborted = await fb.api('POST', `/v1/incidents/${id}/abort`, { reason: 'test over' });
      assert.equal(aborted.status, 200, JSON.stringify(aborted.body));
    }
    for (const id of [missed, open]) {
      const final = await fb.client.workflow.getHandle(id).result();
      assert.equal(final.phase, 'aborted');
      assert.ok(final.timeline.some((entry: { event: string }) => entry.event === 'clock.open_at_close'), 'the close recorded the open duty');
    }
    // Both are gone from the running incidents; their clocks stay counted from the closed incidents' final status.
    const text = await eventually(async () => {
      const current = await scrape();
      return (await fb.client.workflow.count(`ExecutionStatus = 'Running' AND WorkflowId IN ('${missed}', '${open}')`)).count === 0 && sample(current, 'firebreak_deadline_clocks_unread_incidents') === 0 ? current : undefined;
    }, 20_000, 'both incidents closed and listed as such');
    assert.equal(sample(text, 'firebreak_deadline_clocks{state="missed"}'), before + 1, 'the missed duty is still missed');
    assert.equal(sample(text, 'firebreak_deadline_clocks{state="running"}'), running, 'the running duty is still running');
  });

  it('counts an incident whose status no worker answers as unread, not as zero clocks', async () => {
    await fb.stopWorker();
    try {
      const text = await eventually(async () => {
        const current = await scrape();
        return (sample(current, 'firebreak_deadline_clocks_unread_incidents') ?? 0) >= 2 ? current : undefined;
      }, 20_000, 'both open incidents unread');
      // Only the clock the closed incident left open: its final status needs no worker.
      assert.equal(sample(text, 'firebreak_deadline_clocks{state="running"}'), 1);
    } finally {
      await fb.startWorker();
    }
  });
});
