import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { IncidentStatus } from '../../workflows/incident/state';
import { eventually, type FirebreakUnderTest } from '../helpers/firebreak';
import { freePort } from '../helpers/net';
import { tempDir } from '../helpers/temporal';
import { deliveriesCounted, secretEnv, startIngress } from './ingress-harness';

/** Debian's `prometheus-alertmanager` package; ALERTMANAGER_BIN overrides (e.g. an upstream tarball). */
const ALERTMANAGER = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

async function pushAlert(base: string, labels: Record<string, string>, endsAt?: Date): Promise<void> {
  const alert = { labels, annotations: { summary: `Disk full on ${labels.instance}` }, startsAt: new Date(Date.now() - 60_000).toISOString(), ...(endsAt ? { endsAt: endsAt.toISOString() } : {}) };
  const response = await fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([alert]) });
  assert.equal(response.status, 200, await response.text());
}

describe('a real Prometheus Alertmanager delivering to Firebreak with bearer auth', function () {
  this.timeout(120_000);
  let fb: FirebreakUnderTest | undefined;
  let alertmanager: ChildProcess | undefined;
  let amBase = '';

  before(async function () {
    if (!existsSync(ALERTMANAGER)) {
      console.log(`    skipped: ${ALERTMANAGER} is not installed (apt-get install -y prometheus-alertmanager, or set ALERTMANAGER_BIN)`);
      this.skip();
    }
    const token = randomUUID();
    const refs = secretEnv('real_am', { token });
    fb = await startIngress({
      sources: { prometheus: { kind: 'alertmanager', auth: { bearerTokens: [refs.token] } } },
      routing: { rules: [], defaultRunbook: 'generic-alert-notice' },
    });
    const dir = tempDir('alertmanager');
    const configFile = path.join(dir, 'alertmanager.yml');
    writeFileSync(
      configFile,
      toYaml({
        route: { receiver: 'firebreak', group_by: ['alertname'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
        receivers: [
          {
            name: 'firebreak',
            webhook_configs: [{ url: `${fb.baseUrl}/v1/alerts/prometheus`, send_resolved: true, http_config: { authorization: { type: 'Bearer', credentials: token } } }],
          },
        ],
      }),
    );
    const port = await freePort();
    amBase = `http://127.0.0.1:${port}`;
    alertmanager = spawn(
      ALERTMANAGER,
      [`--config.file=${configFile}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
      { stdio: 'ignore' },
    );
    await eventually(async () => ((await fetch(`${amBase}/-/ready`)).ok ? true : undefined), 30_000, 'alertmanager ready');
  });

  after(async () => {
    alertmanager?.kill('SIGTERM');
    await fb?.stop();
  });

  it('opens an incident for a firing alert, then records it resolved', async () => {
    const labels = { alertname: `DiskFull${randomUUID().slice(0, 8)}`, instance: 'db-1', severity: 'critical' };
    await pushAlert(amBase, labels);
    const incidents = async () => (await fb!.api<{ incidents: { id: string; title?: string }[] }>('GET', '/v1/incidents')).body.incidents;
    const opened = await eventually(async () => (await incidents()).find((i) => i.id.startsWith('incident/prometheus/') && i.title === 'Disk full on db-1'), 30_000, 'incident opened');
    const status = async () => (await fb!.api<IncidentStatus>('GET', `/v1/incidents/${opened.id}`)).body;
    assert.deepEqual([(await status()).severity, (await status()).alerts.status], ['critical', 'firing']);

    await pushAlert(amBase, labels, new Date(Date.now() - 1000));
    const resolved = await eventually(async () => {
      const s = await status();
      return s.alerts.status === 'resolved' ? s : undefined;
    }, 30_000, 'alert resolved on the incident');
    assert.ok(resolved.timeline.some((t) => t.event === 'alert.resolved'));
    assert.equal(await deliveriesCounted(fb!, 'prometheus', 'unauthenticated'), 0);
    assert.ok((await deliveriesCounted(fb!, 'prometheus', 'accepted')) >= 2);
  });
});
