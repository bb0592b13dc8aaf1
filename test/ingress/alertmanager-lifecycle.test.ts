import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { readAuditRecords } from '../../audit';
import { eventually, type FirebreakUnderTest } from '../helpers/firebreak';
import { freePort } from '../helpers/net';
import { tempDir } from '../helpers/temporal';
import { deliveriesCounted, secretEnv, startIngress } from './ingress-harness';

/** Debian's `prometheus-alertmanager` package (installed by .ci/run); ALERTMANAGER_BIN overrides. */
const ALERTMANAGER = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

/** A runbook that finishes as soon as the alert is kept, so its incident closes while Alertmanager keeps sending. */
const CLOSES_AT_ONCE = `
id: close-at-once
version: 1
title: Keep the alert and close
steps:
  - id: preserve-alert
    action: evidence.capture
    with: { name: alert.json, from: alert }
`;

interface AmAlert {
  labels: Record<string, string>;
  startsAt: string;
  endsAt?: string;
}

async function push(base: string, alert: AmAlert): Promise<void> {
  const body = [{ ...alert, annotations: { summary: `Disk full on ${alert.labels.instance}` } }];
  const response = await fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(response.status, 200, await response.text());
}

describe('a real Alertmanager across an incident close', function () {
  this.timeout(180_000);
  let fb: FirebreakUnderTest | undefined;
  let alertmanager: ChildProcess | undefined;
  let amBase = '';

  before(async function () {
    if (!existsSync(ALERTMANAGER)) {
      console.log(`    skipped: ${ALERTMANAGER} is not installed (apt-get install -y prometheus-alertmanager, or set ALERTMANAGER_BIN)`);
      this.skip();
    }
    const runbooks = tempDir('lifecycle-runbooks');
    writeFileSync(path.join(runbooks, 'close-at-once.yaml'), CLOSES_AT_ONCE);
    const token = randomUUID();
    const refs = secretEnv('am_lifecycle', { token });
    fb = await startIngress(
      { sources: { prom: { kind: 'alertmanager', auth: { bearerTokens: [refs.token] } } }, routing: { rules: [], defaultRunbook: 'close-at-once' } },
      { env: { FIREBREAK_RUNBOOKS_DIR: runbooks } },
    );
    const dir = tempDir('alertmanager');
    const configFile = path.join(dir, 'alertmanager.yml');
    // repeat_interval of a few seconds: the re-sends of a still-firing alert arrive while the test watches.
    writeFileSync(
      configFile,
      toYaml({
        route: { receiver: 'firebreak', group_by: ['alertname'], group_wait: '1s', group_interval: '1s', repeat_interval: '3s' },
        receivers: [{ name: 'firebreak', webhook_configs: [{ url: `${fb.baseUrl}/v1/alerts/prom`, send_resolved: true, http_config: { authorization: { type: 'Bearer', credentials: token } } }] }],
      }),
    );
    const port = await freePort();
    amBase = `http://127.0.0.1:${port}`;
    alertmanager = spawn(
      ALERTMANAGER,
      [`--config.file=${configFile}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
      { stdio: 'ignore' },
    );
    await eventually(async () => ((await fetch(`${amBase}/-/ready`).catch(() => undefined))?.ok ? true : undefined), 30_000, 'alertmanager ready');
  });

  after(async () => {
    alertmanager?.kill('SIGTERM');
    await fb?.stop();
  });

  async function auditActions(incidentId: string): Promise<string[]> {
    const actions: string[] = [];
    for await (const r of readAuditRecords(path.join(fb!.dataDir, 'audit'), { incidentId })) actions.push(r.action);
    return actions;
  }

  async function runs(incidentId: string): Promise<string[]> {
    const found: string[] = [];
    for await (const run of fb!.client.workflow.list({ query: `WorkflowId = '${incidentId}'` })) found.push(run.status.name);
    return found;
  }

  it('repeat_interval re-sends and the resolve after close start nothing; the next firing episode opens a successor linked both ways', async () => {
    const labels = { alertname: `DiskFull${randomUUID().slice(0, 8)}`, instance: 'db-1', severity: 'critical' };
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    await push(amBase, { labels, startsAt });

    // Alertmanager's fingerprint is its own hash of the label set: find the incident by what it was sent to.
    const first = await eventually(async () => {
      for await (const r of readAuditRecords(path.join(fb!.dataDir, 'audit'))) if (r.action === 'alert.accepted' && r.incidentId) return r.incidentId;
      return undefined;
    }, 30_000, 'incident opened');
    await eventually(async () => ((await fb!.client.workflow.getHandle(first).describe()).status.name === 'COMPLETED' ? true : undefined), 30_000, 'runbook finished and closed the incident');

    // Still firing: Alertmanager re-sends every few seconds. Wait for several re-sends after the close.
    const before = await deliveriesCounted(fb!, 'prom', 'accepted') + (await deliveriesCounted(fb!, 'prom', 'duplicate'));
    await eventually(async () => {
      const now = (await deliveriesCounted(fb!, 'prom', 'accepted')) + (await deliveriesCounted(fb!, 'prom', 'duplicate'));
      return now >= before + 2 ? true : undefined;
    }, 60_000, 'two repeat_interval re-sends after close');
    assert.deepEqual(await runs(first), ['COMPLETED'], 'the closed incident never ran again');
    assert.deepEqual(await runs(`${first}r2`), [], 'a re-send of the same episode opens no successor');

    // A second alert joins the group: the notification changes (a new delivery), and the first alert in it is still the
    // episode its closed incident saw: nothing reopens, and the closed incident's audit says why.
    await push(amBase, { labels: { ...labels, instance: 'db-2' }, startsAt: new Date().toISOString() });
    const sameEpisode = await eventually(async () => {
      for await (const r of readAuditRecords(path.join(fb!.dataDir, 'audit'), { incidentId: first })) if (r.action === 'alert.after_close') return r.data;
      return undefined;
    }, 30_000, 'the still-firing alert in a changed notification is recorded after close');
    assert.equal(sameEpisode.reason, 'same_episode');
    assert.deepEqual(await runs(`${first}r2`), []);

    // The resolve after close: acknowledged, audited on the closed incident, nothing started.
    await push(amBase, { labels, startsAt, endsAt: new Date(Date.now() - 1000).toISOString() });
    await eventually(async () => {
      for await (const r of readAuditRecords(path.join(fb!.dataDir, 'audit'), { incidentId: first })) if (r.action === 'alert.after_close' && r.data.reason === 'resolved') return true;
      return undefined;
    }, 30_000, 'resolve after close audited');
    assert.deepEqual(await runs(first), ['COMPLETED']);
    assert.deepEqual(await runs(`${first}r2`), []);
    assert.equal(await deliveriesCounted(fb!, 'prom', 'unauthenticated'), 0);

    // A new firing episode (a later startsAt) of the same label set: a successor incident, linked both ways.
    await push(amBase, { labels, startsAt: new Date().toISOString() });
    const successor = `${first}r2`;
    await eventually(async () => ((await runs(successor)).length === 1 ? true : undefined), 30_000, 'successor opened');
    const status = await fb!.client.workflow.getHandle(successor).result();
    assert.equal(status.reopenedFrom, first);
    assert.ok((await auditActions(first)).includes('incident.reopened_as'));
  });
});
