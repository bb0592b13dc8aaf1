import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { AuditLog, PROMPT_CHECKPOINT_MS } from '../../audit';
import { STUCK_AFTER_MS, countSteps } from '../../ingress/api/step-metrics';
import type { StepRecord } from '../../workflows/incident/state';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

const RUNBOOK = `
id: metrics-approval
version: 1
title: An approval that waits
match: 'alert.source == "generic"'
roles:
  approve-disclosure: [legal]
steps:
  - id: approve-notice
    approval: { role: approve-disclosure }
  - id: done
    action: noop
`;

/** The value of one series (name with its labels, exactly as exposed) in a scrape. */
function sample(scrape: string, series: string): number | undefined {
  const line = scrape.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('stuck steps and audit checkpoint age', function () {
  this.timeout(120_000);

  describe('counting steps', () => {
    const now = Date.now();
    const step = (kind: string, state: StepRecord['state'], openMs: number): StepRecord => ({ id: `${kind}-${openMs}`, kind, state, startedAt: new Date(now - openMs).toISOString() });

    it('counts an action running past 15 minutes and people waiting past a day as stuck, never a timer', () => {
      const counts = countSteps(
        [
          { steps: [step('action', 'running', STUCK_AFTER_MS.action + 60_000), step('action', 'running', 5_000), step('action', 'done', 3 * 3_600_000)] },
          { steps: [step('approval', 'waiting', 25 * 3_600_000), step('input', 'waiting', 3_600_000), step('wait', 'waiting', 30 * 24 * 3_600_000), step('parallel', 'running', 3_600_000)] },
        ],
        now,
      );
      assert.deepEqual(counts.open, { action: 2, approval: 1, input: 1, wait: 1 });
      assert.deepEqual(counts.stuck, { action: 1, approval: 1, input: 0 });
      assert.equal(counts.oldestSeconds.action, (STUCK_AFTER_MS.action + 60_000) / 1000);
      assert.equal(counts.oldestSeconds.wait, 30 * 24 * 3600);
    });
  });

  describe('in /metrics of a running service', () => {
    let fb: FirebreakUnderTest;
    before(async () => {
      const runbooks = tempDir('runbooks');
      writeFileSync(path.join(runbooks, 'metrics-approval.yaml'), RUNBOOK);
      fb = await FirebreakUnderTest.start({ people: [{ id: 'lee', roles: ['legal'] }], env: { FIREBREAK_RUNBOOKS_DIR: runbooks } });
    });
    after(async () => fb?.stop());
    const scrape = async (): Promise<string> => (await fetch(`${fb.baseUrl}/metrics`)).text();

    it('shows the waiting approval as an open step, its age, and nothing stuck; the step leaves the gauges once decided', async () => {
      const sent = await fb.sendAlert({ title: 'Wait for me', severity: 'high' });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const id = (sent.body.incidents as { incidentId: string }[])[0]!.incidentId;
      const text = await eventually(async () => {
        const current = await scrape();
        return sample(current, 'firebreak_steps_open{kind="approval"}') === 1 ? current : undefined;
      }, 30_000, 'the approval counted as open');
      assert.equal(sample(text, 'firebreak_steps_stuck{kind="approval"}'), 0);
      assert.equal(sample(text, 'firebreak_steps_stuck{kind="action"}'), 0);
      assert.equal(sample(text, 'firebreak_deadline_clocks_unread_incidents'), 0);
      await sleep(2_500);
      const later = await scrape();
      assert.ok(sample(later, 'firebreak_steps_oldest_open_seconds{kind="approval"}')! >= 2, later);

      const approved = await fb.api('POST', `/v1/incidents/${id}/steps/approve-notice/approve`, { reason: 'metrics test' }, 'token-lee');
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      await fb.client.workflow.getHandle(id).result();
      const after = await eventually(async () => {
        const current = await scrape();
        return sample(current, 'firebreak_steps_open{kind="approval"}') === 0 ? current : undefined;
      }, 20_000, 'the decided approval gone from the open steps');
      assert.equal(sample(after, 'firebreak_steps_oldest_open_seconds{kind="approval"}'), undefined);
    });

    it('shows records no checkpoint covers and how old the newest checkpoint is, and clears once one is signed', async () => {
      const auditDir = path.join(fb.dataDir, 'audit');
      // The service checkpoints what it appends within seconds: a clean state first.
      await eventually(async () => (sample(await scrape(), 'firebreak_audit_records_since_checkpoint') === 0 ? true : undefined), 20_000, 'every record covered');
      // Nothing else appends meanwhile (the worker would, as incidents move): only the HTTP service stays up.
      await fb.stopWorker();
      // ...and every open log's prompt checkpoint of what it appended has been taken (it would cover ours too).
      await sleep(3 * PROMPT_CHECKPOINT_MS);
      // A writer that cannot sign (no key): its records stay uncovered, as when a worker's key or disk fails.
      const unsigned = await AuditLog.open(auditDir, { origin: 'metrics-test' });
      for (let i = 0; i < 3; i++) await unsigned.append({ key: `metrics-test/${Date.now()}/${i}`, actor: { kind: 'system', id: 'metrics-test' }, action: 'test.record', data: { i } });
      await unsigned.close();
      await sleep(1_500);
      const text = await scrape();
      assert.equal(sample(text, 'firebreak_audit_records_since_checkpoint'), 3, text);
      assert.ok(sample(text, 'firebreak_audit_checkpoint_age_seconds')! >= 1);

      // The next record the service appends is checkpointed promptly, and that checkpoint covers all before it.
      const sent = await fb.sendAlert({ title: 'Checkpoint me', severity: 'low' });
      assert.equal(sent.status, 202);
      const covered = await eventually(async () => {
        const current = await scrape();
        return sample(current, 'firebreak_audit_records_since_checkpoint') === 0 ? current : undefined;
      }, 20_000, 'a checkpoint covering the unsigned records');
      assert.ok(sample(covered, 'firebreak_audit_checkpoint_age_seconds')! < 15);
    });
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
