import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { type AuditRecord, readAuditRecords } from '../../audit';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

const FIXTURE = 'gdpr-clock-metrics.yaml';
const cliPath = path.resolve(__dirname, '..', '..', 'bin', 'firebreak.js');

/*
 * Legal decides a breach is not notifiable: the GDPR clock is stopped with that reason, by someone who may approve the
 * runbook's disclosures (fixture: approve-disclosure → legal), through the API and the CLI. Nobody else can.
 */
describe('stopping a deadline clock with a recorded reason', function () {
  this.timeout(120_000);
  let fb: FirebreakUnderTest;

  before(async () => {
    const runbooks = tempDir('runbooks');
    copyFileSync(path.join(__dirname, '..', 'fixtures', 'runbooks', FIXTURE), path.join(runbooks, FIXTURE));
    fb = await FirebreakUnderTest.start({
      people: [
        { id: 'dana', roles: ['dpo'] },
        { id: 'lee', roles: ['legal'] },
      ],
      env: { FIREBREAK_RUNBOOKS_DIR: runbooks },
    });
  });
  after(async () => fb?.stop());

  const status = async (id: string) => (await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`)).body;

  async function incidentWithRunningClock(): Promise<string> {
    const declared = await fb.api<{ incidentId: string }>('POST', '/v1/incidents', { title: 'possible breach', runbook: 'gdpr-clock-metrics' });
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    const id = declared.body.incidentId;
    await eventually(async () => ((await fb.api('POST', `/v1/incidents/${id}/steps/aware-at/answer`, { value: new Date().toISOString() }, 'token-dana')).status === 200 ? true : undefined), 20_000, 'aware-at answered');
    await eventually(async () => ((await status(id)).clocks?.[0]?.state === 'running' ? true : undefined), 20_000, 'clock running');
    return id;
  }

  it('refuses those without a disclosure role, a missing reason and an unknown clock, recording nothing; then legal stops it once', async () => {
    const id = await incidentWithRunningClock();
    const stop = (clock: string, body: unknown, token: string) => fb.api<{ error?: string; message?: string }>('POST', `/v1/incidents/${id}/clocks/${clock}/stop`, body, token);
    const timelineBefore = (await status(id)).timeline.length;

    const byPrivacy = await stop('gdpr-art33-sa', { reason: 'not notifiable' }, 'token-dana');
    assert.equal(byPrivacy.status, 403);
    assert.equal(byPrivacy.body.error, 'approval.not_permitted');
    assert.match(byPrivacy.body.message ?? '', /dana does not hold role/);
    assert.equal((await stop('gdpr-art33-sa', { reason: '  ' }, 'token-lee')).status, 400);
    assert.equal((await stop('gdpr-art33-sa', { reason: 'x' }, 'no-such-token')).status, 401);
    const unknown = await stop('nis2-art23', { reason: 'not an essential entity' }, 'token-lee');
    assert.equal(unknown.status, 409);
    assert.equal(unknown.body.error, 'clock.not_running');
    const untouched = await status(id);
    assert.equal(untouched.clocks[0]!.state, 'running');
    assert.equal(untouched.timeline.length, timelineBefore, 'refusals leave no trace in the incident');

    const reason = 'not notifiable: data was encrypted, key not compromised (risk assessment attached)';
    const stopped = await stop('gdpr-art33-sa', { reason }, 'token-lee');
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    const after = await status(id);
    const clock = after.clocks[0]!;
    assert.equal(clock.state, 'stopped');
    assert.equal(clock.stoppedBy, 'lee');
    assert.equal(clock.stopReason, reason);
    assert.equal(clock.stages[0]!.state, 'stopped');
    assert.ok(after.timeline.some((t) => t.event === 'clock.stopped' && t.actor === 'lee' && t.detail?.includes(reason)));

    const again = await stop('gdpr-art33-sa', { reason }, 'token-lee');
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'clock.not_running');

    // The audit trail has the stop, with who and why.
    const audited = await eventually(async () => {
      const records: AuditRecord[] = [];
      for await (const r of readAuditRecords(path.join(fb.dataDir, 'audit'), { incidentId: id })) records.push(r);
      return records.find((r) => r.action === 'clock.stopped');
    }, 20_000, 'clock.stopped audited');
    assert.equal(audited.actor.id, 'lee');
    assert.match(JSON.stringify(audited.data), /not notifiable/);
  });

  it('firebreak stop-clock does the same from the command line', async () => {
    const id = await incidentWithRunningClock();
    const env = { ...process.env, FIREBREAK_URL: fb.baseUrl, FIREBREAK_DATA_DIR: fb.dataDir, FIREBREAK_TOKEN: 'token-lee' };
    const { stdout } = await promisify(execFile)(process.execPath, [cliPath, 'stop-clock', id, 'gdpr-art33-sa', '--reason', 'not notifiable'], { env });
    assert.match(stdout, /clock gdpr-art33-sa stopped/);
    assert.equal((await status(id)).clocks[0]!.stoppedBy, 'lee');
    const refused = await promisify(execFile)(process.execPath, [cliPath, 'stop-clock', id, 'gdpr-art33-sa', '--reason', 'twice'], { env }).then(
      () => undefined,
      (error: { stderr: string; code: number }) => error,
    );
    assert.ok(refused, 'a second stop fails');
    assert.match(refused.stderr, /clock\.not_running/);
  });
});
