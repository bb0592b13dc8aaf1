import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { loadPublicKey, readAuditRecords, verifyAuditLog } from '../../audit';
import { seedGenerationsFromAuditLog } from '../../ingress/generation-seed';
import { type ApiAnswer, eventually, type FirebreakUnderTest } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';
import { incident, secretEnv, send, startIngress, whsec } from './ingress-harness';

type Admission = { incidentId?: string; outcome: string; reason?: string; reopenedFrom?: string };
const admissions = (answer: ApiAnswer): Admission[] => answer.body.incidents as Admission[];

/**
 * Temporal deletes a closed workflow once the namespace's retention period has passed. The test does what retention
 * does, at once: it closes an incident and deletes its workflow, then sends the fingerprint's next firing alert.
 */
describe('incident succession after Temporal forgot the closed incident (retention)', function () {
  this.timeout(180_000);
  const refs = secretEnv('retention', { sw: whsec() });
  const sw = { secrets: [process.env.FB_TEST_RETENTION_SW!] };
  const dataDir = tempDir('retention-shared');
  const taskQueue = `test-${randomUUID()}`;
  // Two HTTP replicas (each with a worker) on one data volume, as docs/deploy.md runs them.
  let a: FirebreakUnderTest;
  let b: FirebreakUnderTest;

  before(async () => {
    const ingress = { sources: { mon: { kind: 'standard-webhooks', auth: { secrets: [refs.sw] } } }, routing: { rules: [], defaultRunbook: 'generic-alert-notice' } };
    a = await startIngress(ingress, { dataDir, taskQueue });
    b = await startIngress(ingress, { dataDir, taskQueue });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
  });

  /** Closes the incident and deletes its workflow, as retention does, and waits until Temporal no longer knows it. */
  async function closeAndForget(id: string): Promise<void> {
    const handle = a.client.workflow.getHandle(id);
    // Terminated rather than aborted: this test is about ingress after a close, whatever the runbook does on abort.
    await handle.terminate('test: the incident closed');
    await eventually(
      async () => {
        try {
          // Asked again while it is still there: the server deletes asynchronously and may drop a request under load.
          await a.client.workflowService.deleteWorkflowExecution({ namespace: a.client.options.namespace, workflowExecution: { workflowId: id } });
          await handle.describe();
          return undefined;
        } catch (error) {
          if (error instanceof WorkflowNotFoundError || (error as { code?: number }).code === 5) return true;
          return undefined;
        }
      },
      60_000,
      `${id} deleted`,
    );
  }

  const firing = (fb: FirebreakUnderTest, fingerprint: string, occurredAt = new Date().toISOString()) => send(fb, 'mon', 'standard-webhooks', sw, { title: 'disk full', fingerprint, occurredAt });

  it('opens the next generation, never the forgotten id again, links it, and both replicas agree', async () => {
    const fingerprint = `retention-${randomUUID()}`;
    const firstAt = new Date(Date.now() - 60_000).toISOString();
    const first = await firing(a, fingerprint, firstAt);
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const id = admissions(first)[0]!.incidentId!;
    await eventually(async () => incident(a, id));
    await closeAndForget(id);

    // Replica b has never seen this fingerprint: all it can go on is Temporal (which has forgotten) and the index.
    const again = await firing(b, fingerprint);
    assert.equal(again.status, 202, JSON.stringify(again.body));
    assert.deepEqual(admissions(again).map((i) => [i.outcome, i.incidentId, i.reopenedFrom]), [['reopened', `${id}r2`, id]]);
    await assert.rejects(a.client.workflow.getHandle(id).describe(), WorkflowNotFoundError, 'the forgotten id was not started again');
    const successor = await eventually(async () => incident(a, `${id}r2`));
    assert.deepEqual([successor.alerts.count, successor.reopenedFrom], [1, id]);

    // A re-send of the episode the forgotten incident opened on (Alertmanager's repeat_interval), to the replica that
    // last saw generation 1 running, joins the successor: neither generation 1 again nor judged by generation 1.
    const resend = await firing(a, fingerprint, firstAt);
    assert.deepEqual(admissions(resend).map((i) => [i.outcome, i.incidentId]), [['signalled', `${id}r2`]]);

    // The successor is forgotten too: a resolve is acknowledged on it, and the next firing alert, sent to both replicas
    // at once, opens one r3 linked to r2.
    await closeAndForget(`${id}r2`);
    const resolved = await send(a, 'mon', 'standard-webhooks', sw, { title: 'disk full', fingerprint, status: 'resolved' });
    assert.deepEqual(admissions(resolved).map((i) => [i.outcome, i.incidentId, i.reason]), [['after_close', `${id}r2`, 'resolved']]);
    const [viaA, viaB] = await Promise.all([firing(a, fingerprint), firing(b, fingerprint)]);
    const both = [...admissions(viaA), ...admissions(viaB)];
    assert.deepEqual(both.map((i) => i.incidentId), [`${id}r3`, `${id}r3`], JSON.stringify(both));
    assert.ok(both.some((i) => i.outcome === 'reopened' && i.reopenedFrom === `${id}r2`), JSON.stringify(both));
    const runs: string[] = [];
    for await (const run of a.client.workflow.list({ query: `WorkflowId = '${id}r3'` })) runs.push(run.runId);
    assert.equal(runs.length, 1, 'one run of the third incident');
    await eventually(async () => ((await incident(a, `${id}r3`)).alerts.count === 2 ? true : undefined), 20_000, 'both alerts on r3');

    // The index on the shared volume holds the three generations, each under its own id (two replicas that opened r3
    // at once may both have recorded it, which is harmless); the audit log links the forgotten ids and verifies.
    const segments = path.join(dataDir, 'incident-generations', '_segments');
    const recorded = readdirSync(segments)
      .flatMap((name) => readFileSync(path.join(segments, name), 'utf8').split('\n').filter(Boolean))
      .map((line) => JSON.parse(line) as { baseId: string; generation: number; incidentId: string; occurredAt?: string })
      .filter((line) => line.baseId === id);
    assert.deepEqual([...new Map(recorded.map((r) => [r.generation, r.incidentId])).entries()].sort(), [[1, id], [2, `${id}r2`], [3, `${id}r3`]]);
    assert.equal(recorded.find((r) => r.generation === 1)?.occurredAt, firstAt);
    const actions: [string, string | undefined][] = [];
    for await (const r of readAuditRecords(path.join(dataDir, 'audit'))) {
      if (r.incidentId?.startsWith(id) && r.action.includes('reopened')) actions.push([r.action, r.incidentId]);
    }
    for (const link of [['alert.reopened', `${id}r2`], ['incident.reopened_as', id], ['alert.reopened', `${id}r3`], ['incident.reopened_as', `${id}r2`]]) {
      assert.ok(actions.some(([action, incidentId]) => action === link[0] && incidentId === link[1]), `${link.join(' on ')} in ${JSON.stringify(actions)}`);
    }
    const publicKey = loadPublicKey(readFileSync(path.join(dataDir, 'audit-checkpoint.pub.pem'), 'utf8'));
    const verification = await verifyAuditLog(path.join(dataDir, 'audit'), publicKey);
    assert.deepEqual(verification.problems, []);
    assert.ok(verification.ok);
  });

  it('a data dir from a release without the index learns the generations its audit log names, once, before it listens', async () => {
    const upgradedDir = tempDir('retention-upgrade');
    // A task queue of its own: its data dir has its own payload keys, which the other replicas' workers lack.
    const upgradeQueue = `test-${randomUUID()}`;
    const ingress = { sources: { mon: { kind: 'standard-webhooks', auth: { secrets: [refs.sw] } } }, routing: { rules: [], defaultRunbook: 'generic-alert-notice' } };
    let old: FirebreakUnderTest | undefined = await startIngress(ingress, { dataDir: upgradedDir, taskQueue: upgradeQueue });
    const fingerprint = `upgrade-${randomUUID()}`;
    const id = admissions(await firing(old, fingerprint, new Date(Date.now() - 60_000).toISOString()))[0]!.incidentId!;
    await eventually(async () => incident(old!, id));
    await old.stop();
    old = undefined;
    // As the older release left it: the audit log holds the incident, no index exists.
    rmSync(path.join(upgradedDir, 'incident-generations'), { recursive: true });
    await closeAndForget(id);

    const upgraded = await startIngress(ingress, { dataDir: upgradedDir, taskQueue: upgradeQueue });
    try {
      const again = await firing(upgraded, fingerprint);
      assert.deepEqual(admissions(again).map((i) => [i.outcome, i.incidentId, i.reopenedFrom]), [['reopened', `${id}r2`, id]]);
      await assert.rejects(a.client.workflow.getHandle(id).describe(), WorkflowNotFoundError, 'the forgotten id was not started again');
      const indexDir = path.join(upgradedDir, 'incident-generations');
      // Later starts read the seed file, not the audit log.
      const later = await seedGenerationsFromAuditLog(indexDir, path.join(upgradedDir, 'audit'));
      assert.deepEqual([later.scanned, later.generations.get(id)], [false, 1]);
    } finally {
      await upgraded.stop();
    }
  });
});
