import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { decideUpdate } from '../../../workflows/incident/definitions';
import { clockActivities, startTimeSkipping, until, withIncident } from '../deadline-clocks/harness';

const runbook = {
  id: 'draft-binding',
  version: 1,
  title: 'draft binding',
  roles: { approve: ['legal'] },
  steps: [
    { id: 'approve-notice', approval: { role: 'approve', draft: 'We tell the regulator about incident {{incident.id}}.' } },
    { id: 'send', action: 'noop' },
  ],
};

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    assert.ok(error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure, String(error));
    return error.cause.type ?? undefined;
  }
}

describe('approval bound to the SHA-256 of the draft', function () {
  this.timeout(60_000);
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTimeSkipping();
  });
  after(async () => env?.teardown());

  it('shows the draft with its hash, refuses an approval naming no hash or another text, and accepts the exact one', async () => {
    await withIncident(env, runbook, clockActivities(), async (incident) => {
      const approval = await until(incident, (s) => s.approvals[0]);
      assert.equal(approval.draft, `We tell the regulator about incident ${incident.id}.`);
      assert.equal(approval.draftSha256, createHash('sha256').update(approval.draft!).digest('hex'));

      const handle = env.client.workflow.getHandle(incident.id);
      const decide = (draftSha256?: string) =>
        handle.executeUpdate(decideUpdate, {
          args: [{ stepId: 'approve-notice', decision: 'approve', reason: 'checked', actor: { kind: 'person', id: 'lee', roles: ['legal'] }, at: new Date().toISOString(), draftSha256 }],
        });
      assert.equal(await refusal(decide()), 'approval.draft_mismatch');
      assert.equal(await refusal(decide(createHash('sha256').update(`${approval.draft} `).digest('hex'))), 'approval.draft_mismatch');
      assert.equal((await incident.status()).approvals[0]!.decisions.length, 0, 'refused decisions record nothing');

      const outcome = await decide(approval.draftSha256);
      assert.equal(outcome.stepOutcome, 'approved');
      const done = await until(incident, (s) => (s.phase === 'completed' ? s : undefined));
      assert.equal(done.approvals[0]!.decisions[0]!.draftSha256, approval.draftSha256);
      assert.equal((done.steps.find((s) => s.id === 'approve-notice')!.result as { draftSha256: string }).draftSha256, approval.draftSha256);
    });
  });
});
