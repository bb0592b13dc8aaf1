import assert from 'node:assert/strict';
import { type RunbookTestEnvironment, runRunbookTest, startRunbookTestEnvironment } from '../../cli/runbook-test/driver';
import { RunbookTestScript } from '../../cli/runbook-test/script';
import { loadRunbookText } from '../../runbooks/load';
import { workflowBundle } from '../helpers/temporal';

const RUNBOOK = `id: suspend-user
version: 1
title: Suspend a user
roles: { respond: [security-oncall], approve: [legal] }
requires:
  labels: [{ label: user, ask: Which account? }]
steps:
  - id: notice-approved
    approval: { role: approve, draft: 'Suspend {{alert.labels.user}}' }
`;

describe('firebreak runbook test: a label the runbook requires and the recorded alert lacks', function () {
  this.timeout(180_000);
  let shared: RunbookTestEnvironment;
  before(async () => {
    shared = await startRunbookTestEnvironment(await workflowBundle());
  });
  after(async () => shared?.env.teardown());

  it('is a question the script answers as labels.<name>, and the runbook reads the answer', async () => {
    const loaded = loadRunbookText(RUNBOOK, 'suspend-user.yaml');
    assert.ok(loaded.ok);
    const script = RunbookTestScript.parse({
      steps: [
        { step: 'labels.user', answer: 'm.smith', as: 'dana', roles: ['security-oncall'] },
        { step: 'notice-approved', approve: 'ok', as: 'lee', roles: ['legal'] },
      ],
    });
    const report = await runRunbookTest({ pinned: loaded.pinned, children: {}, alert: { title: 'Takeover', labels: {}, severity: 'high' }, script }, shared);
    assert.deepEqual(report.moves.map((m) => [m.by, m.kind, m.refused]), [['dana', 'answer', undefined], ['lee', 'approve', undefined]]);
    assert.equal(report.status.phase, 'completed');
    assert.equal(report.status.approvals[0]!.draft, 'Suspend m.smith');
  });
});
