import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { loadConfig } from '../../worker/config';
import { resolveSecrets } from '../../worker/secrets';
import { freePort } from '../helpers/net';
import { waitUntil } from '../helpers/poll';
import { SmtpInbox } from '../helpers/smtp-inbox';
import { noticeRunbook } from './fleet';
import { type IncidentView, type SentAlert, api, deliverAlert, emptyTally } from './load';
import { type TemporalCluster, startCluster, track } from './provision';

const run = promisify(execFile);
const cliPath = path.resolve(__dirname, '..', '..', 'bin', 'firebreak.js');

/**
 * The deployment guide's backup and restore, done: pg_dump of both Temporal databases and a copy of the data volume
 * (audit log, evidence, sent markers, secrets), restored into a fresh PostgreSQL and a fresh set of Temporal services.
 * The incidents waiting there carry on, nothing already sent goes out again, and the audit log still verifies.
 */
describe('backup and restore into a fresh cluster', function () {
  this.timeout(20 * 60_000);
  const inbox = new SmtpInbox();
  const clusters: TemporalCluster[] = [];
  const processes: ChildProcess[] = [];
  const approverToken = 'restore-approver-token';
  const made: string[] = [];
  const scratch = (prefix: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), `firebreak-cluster-${prefix}-`));
    made.push(dir);
    return dir;
  };
  // Put back what this test sets: later tests spawn Firebreak with process.env.
  const savedEnv = { SMTP_URL: process.env.SMTP_URL, CLUSTER_APPROVER_TOKEN: process.env.CLUSTER_APPROVER_TOKEN };

  after(async () => {
    for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await inbox.stop();
    for (const cluster of clusters) await cluster.stop().catch(() => {});
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  const startFirebreak = async (cluster: TemporalCluster, dataDir: string, runbooks: string) => {
    const port = await freePort();
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: cluster.address,
      FIREBREAK_DATA_DIR: dataDir,
      FIREBREAK_CONFIG: path.join(dataDir, 'firebreak.yaml'),
      FIREBREAK_RUNBOOKS_DIR: runbooks,
      SMTP_URL: `smtp://127.0.0.1:${inbox.port}`,
      CLUSTER_APPROVER_TOKEN: approverToken,
      FIREBREAK_HTTP_PORT: String(port),
      FIREBREAK_LOG_LEVEL: 'error',
    };
    const started = ['serve', 'worker'].map((command) => track(spawn(process.execPath, [cliPath, command], { env, stdio: ['ignore', 'ignore', 'inherit'] })));
    processes.push(...started);
    const base = `http://127.0.0.1:${port}`;
    await waitUntil('Firebreak to become healthy', 240_000, async () => (await fetch(`${base}/healthz`).then((r) => r.status, () => 0)) === 200, 500);
    const stop = async () => {
      for (const child of started) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
    };
    return { base, env, stop };
  };

  const view = (base: string, token: string, id: string) => api<IncidentView>([base], 'GET', `/v1/incidents/${id}`, token);
  const waitFor = (what: string, check: () => Promise<boolean>) => waitUntil(what, 180_000, check, 500);
  const stepIs = (v: IncidentView | undefined, step: string, state: string) => Boolean(v?.steps.some((s) => s.id === step && s.state === state));

  it('carries on the waiting incidents, sends no notice twice, and the audit log still verifies', async () => {
    await inbox.start();
    const original = await startCluster();
    clusters.push(original);
    const dataDir = scratch('data');
    const runbooks = scratch('runbooks');
    writeFileSync(path.join(runbooks, 'restore-notice.yaml'), noticeRunbook('restore-notice'));
    writeFileSync(path.join(dataDir, 'firebreak.yaml'), toYaml({ people: [{ id: 'lee', roles: ['legal'], tokens: ['env:CLUSTER_APPROVER_TOKEN'] }] }));
    process.env.SMTP_URL = `smtp://127.0.0.1:${inbox.port}`;
    process.env.CLUSTER_APPROVER_TOKEN = approverToken;
    const secrets = resolveSecrets(loadConfig({ ...process.env, TEMPORAL_ADDRESS: original.address, FIREBREAK_DATA_DIR: dataDir, FIREBREAK_CONFIG: path.join(dataDir, 'firebreak.yaml') }));
    const admin = secrets.adminToken.reveal();

    // Before the backup: two incidents completed (notices sent), three waiting for their approval.
    let fb = await startFirebreak(original, dataDir, runbooks);
    const tally = emptyTally();
    const alerts: SentAlert[] = [];
    for (let i = 0; i < 5; i++) alerts.push((await deliverAlert([fb.base], secrets.webhookSigningSecret.reveal(), `restore-${i}-${Date.now()}`, () => tally))!);
    for (const a of alerts) await waitFor(`${a.incidentId} to wait for approval`, async () => stepIs(await view(fb.base, admin, a.incidentId), 'approve-notice', 'waiting'));
    for (const a of alerts.slice(0, 2)) {
      assert.ok(await api([fb.base], 'POST', `/v1/incidents/${a.incidentId}/steps/approve-notice/approve`, approverToken, { reason: 'before the backup' }));
      await waitFor(`${a.incidentId} to complete`, async () => (await view(fb.base, admin, a.incidentId))?.phase === 'completed');
    }
    await fb.stop();

    // The backup: both databases and the data volume, taken with Firebreak stopped; then the original cluster is gone.
    const backup = scratch('backup');
    await original.backup(backup);
    cpSync(dataDir, path.join(backup, 'data'), { recursive: true });
    await original.stop();
    clusters.splice(0);

    const restored = await startCluster({ restoreFrom: backup });
    clusters.push(restored);
    const restoredData = path.join(backup, 'data');
    fb = await startFirebreak(restored, restoredData, runbooks);
    for (const a of alerts.slice(0, 2)) assert.equal((await view(fb.base, admin, a.incidentId))?.phase, 'completed');
    for (const a of alerts.slice(2)) {
      assert.ok(stepIs(await view(fb.base, admin, a.incidentId), 'approve-notice', 'waiting'), `${a.incidentId} still waits after the restore`);
      assert.ok(await api([fb.base], 'POST', `/v1/incidents/${a.incidentId}/steps/approve-notice/approve`, approverToken, { reason: 'after the restore' }));
      await waitFor(`${a.incidentId} to complete`, async () => (await view(fb.base, admin, a.incidentId))?.phase === 'completed');
    }

    const ids = inbox.received.map((m) => m.messageId);
    assert.equal(ids.length, 5, 'one notice per incident, none sent again after the restore');
    assert.equal(new Set(ids).size, 5);
    // Against the restored log and the heads the restored Temporal recorded (the witness, read through the service).
    const verify = await run(process.execPath, [cliPath, 'audit', 'verify'], { env: { ...fb.env, FIREBREAK_URL: fb.base } }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    assert.equal((verify as { code?: number }).code ?? 0, 0, `firebreak audit verify: ${(verify as { stdout: string }).stdout}${(verify as { stderr: string }).stderr}`);
    await fb.stop();
  });
});
