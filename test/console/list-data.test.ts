import assert from 'node:assert/strict';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { listIncidents, type ListDeps } from '../../console/list-data';
import type { Runbook } from '../../runbooks/schema/runbook';
import type { IncidentStatus } from '../../workflows/incident/state';
import type { IncidentSummary } from '../../workflows/incident/summary';

const summary = (over: Partial<IncidentSummary>): IncidentSummary => ({
  title: 'Odd logins',
  severity: 'high',
  runbook: { id: 'oncall', version: 1 },
  phase: 'running',
  openedBy: 'olivia',
  openedAt: '2026-01-01T00:00:00.000Z',
  waiting: [],
  clocks: [],
  people: ['olivia'],
  ...over,
});

const info = (id: string, status: string, memo?: IncidentSummary) => ({ workflowId: id, status: { name: status }, startTime: new Date(0), memo: memo ? { summary: memo } : {} }) as unknown as WorkflowExecutionInfo;

/** A fake incident client: pages of listed runs by cursor, and the status of the runs started before the memo. */
function fakeDeps(pages: WorkflowExecutionInfo[][], statuses: Record<string, IncidentStatus> = {}) {
  const calls = { listed: [] as { limit: number; cursor?: string }[], status: [] as string[] };
  const deps: ListDeps = {
    incidents: {
      listed: async (o) => {
        calls.listed.push({ limit: o.limit, cursor: o.cursor });
        const at = o.cursor ? Number(o.cursor) : 0;
        return { ok: true, value: { infos: pages[at] ?? [], ...(at + 1 < pages.length && { next: String(at + 1) }) } };
      },
      status: async (id) => {
        calls.status.push(id);
        return statuses[id] ? { ok: true, value: statuses[id] } : { ok: false, problem: { code: 'incident.not_found', message: 'gone', status: 404 } };
      },
    },
    runbook: async (id) => ({ roles: id === 'oncall' ? { respond: ['security-oncall'] } : { approve: ['legal'] } }) as unknown as Runbook,
  };
  return { deps, calls };
}

describe('the console incident list', () => {
  const oncall = { id: 'sam', roles: ['security-oncall'] };

  it('draws rows from the summary memos alone, asking no incident anything', async () => {
    const { deps, calls } = fakeDeps([[info('incident/a/1', 'RUNNING', summary({ waiting: [{ stepId: 'triage', kind: 'input', what: 'answer by security-oncall', allowedRoles: ['security-oncall'] }] }))]]);
    const listed = await listIncidents(deps, oncall, {});
    assert.equal(listed?.rows[0]?.summary.waiting[0]?.stepId, 'triage');
    assert.equal(listed?.rows[0]?.state, 'running');
    assert.deepEqual(calls.status, []);
  });

  it('shows how Temporal closed a run whose memo still says running, and asks only incidents from before the memo', async () => {
    const old = { incidentId: 'incident/a/old', title: 'Before memos', severity: 'low', phase: 'completed', openedBy: 'olivia', openedAt: '2025-01-01T00:00:00.000Z', runbook: { id: 'oncall', version: 1, sha256: 'x' }, steps: [], approvals: [], pendingInputs: [], answers: {}, alerts: { count: 0, status: 'firing' }, timeline: [], clocks: [] } as unknown as IncidentStatus;
    const { deps, calls } = fakeDeps([[info('incident/a/2', 'TERMINATED', summary({})), info('incident/a/old', 'COMPLETED')]], { 'incident/a/old': old });
    const listed = await listIncidents(deps, oncall, {});
    assert.deepEqual(listed?.rows.map((r) => [r.id, r.state, r.summary.title]), [['incident/a/2', 'terminated', 'Odd logins'], ['incident/a/old', 'completed', 'Before memos']]);
    assert.deepEqual(calls.status, ['incident/a/old']);
  });

  it('leaves out what the viewer may not see, looking further by cursor, and lets participants see theirs', async () => {
    const legalOnly = (n: number) => info(`incident/l/${n}`, 'RUNNING', summary({ runbook: { id: 'breach', version: 1 } }));
    const first = Array.from({ length: 50 }, (_, i) => legalOnly(i));
    const second = [legalOnly(50), info('incident/l/mine', 'RUNNING', summary({ runbook: { id: 'breach', version: 1 }, people: ['olivia', 'sam'] })), info('incident/a/3', 'RUNNING', summary({}))];
    const { deps, calls } = fakeDeps([first, second]);
    const listed = await listIncidents(deps, oncall, {});
    assert.deepEqual(listed?.rows.map((r) => r.id), ['incident/l/mine', 'incident/a/3']);
    assert.deepEqual(calls.listed, [{ limit: 50, cursor: undefined }, { limit: 200, cursor: '1' }]);
    assert.equal(listed?.more, false);
    const filtered = await listIncidents(fakeDeps([first, second]).deps, oncall, { state: 'closed' });
    assert.deepEqual(filtered?.rows, [], 'filters apply to memo rows');
  });
});
