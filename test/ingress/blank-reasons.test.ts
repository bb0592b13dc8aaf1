import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { temporal } from '@temporalio/proto';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';

const run = promisify(execFile);
const cliPath = path.resolve(__dirname, '..', '..', 'bin', 'firebreak.js');
const UpdateAccepted = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED;

/*
 * The message schemas require a reason that is not blank; the incident client parses them for every edge, so the
 * HTTP API and the CLI (over it) refuse a blank reason with `request.invalid` naming `reason`, and nothing reaches
 * the workflow. (The Slack edge: test/slack/blank-reasons.test.ts.)
 */
describe('blank reasons over HTTP and the CLI', function () {
  this.timeout(120_000);
  let fb: FirebreakUnderTest;
  let id: string;

  before(async () => {
    fb = await FirebreakUnderTest.start();
    const sent = await fb.sendAlert({ title: 'Blank reasons', severity: 'high', labels: { run: `blank-${Date.now()}` } });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    id = (sent.body.incidents as { incidentId: string }[])[0]!.incidentId;
    await eventually(async () => ((await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`)).body.steps?.some((s) => s.id === 'approve-notice' && s.state === 'waiting') ? true : undefined), 60_000, 'approve-notice waiting');
  });
  after(async () => fb?.stop());

  const updateIds = async (): Promise<string[]> => {
    const history = await fb.client.workflow.getHandle(id).fetchHistory();
    return (history.events ?? []).filter((e) => e.eventType === UpdateAccepted).map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId ?? '');
  };

  it('refuses a blank or missing reason on every route that takes one, with request.invalid naming reason', async () => {
    const routes: [string, unknown][] = [
      [`/v1/incidents/${id}/steps/approve-notice/approve`, { reason: '   ' }],
      [`/v1/incidents/${id}/steps/approve-notice/reject`, {}],
      [`/v1/incidents/${id}/abort`, { reason: '\n\t' }],
      [`/v1/incidents/${id}/steps/approve-notice/resolve`, { choice: 'retry', reason: ' ' }],
      [`/v1/incidents/${id}/clocks/gdpr-art33-sa/stop`, { reason: '' }],
    ];
    for (const [route, body] of routes) {
      const answer = await fb.api<{ error: string; issues: { path: string[] }[] }>('POST', route, body);
      assert.equal(answer.status, 400, `${route}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error, 'request.invalid', route);
      assert.deepEqual(answer.body.issues.map((i) => i.path.join('.')), ['reason'], route);
    }
    assert.deepEqual(await updateIds(), [], 'nothing reached the workflow');
    const shown = (await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`)).body;
    assert.equal(shown.phase, 'running');
  });

  it('the CLI exits 1 with the same code, and a decision with a reason goes through under an update id without the person', async () => {
    const env = { ...process.env, FIREBREAK_URL: fb.baseUrl, FIREBREAK_DATA_DIR: fb.dataDir, FIREBREAK_TOKEN: fb.adminToken };
    await assert.rejects(run(process.execPath, [cliPath, 'approve', id, 'approve-notice', '--reason', '   '], { env }), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /request\.invalid/);
      assert.match(error.stderr, /reason/);
      return true;
    });
    assert.deepEqual(await updateIds(), []);
    const approved = await run(process.execPath, [cliPath, 'approve', id, 'approve-notice', '--reason', 'checked the alert'], { env });
    assert.match(approved.stdout, /step is now approved/);
    const ids = await updateIds();
    assert.equal(ids.length, 1);
    assert.match(ids[0]!, /^approve\/[A-Za-z0-9_-]{32}$/);
    assert.ok(!ids[0]!.includes('local-admin'), 'the person id is only inside the keyed hash');
  });
});
