import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { SourceListing } from '../../ingress/api/source-routes';
import type { FirebreakUnderTest } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';
import { hexSecret, secretEnv, startIngress } from './ingress-harness';

const run = promisify(execFile);
const BIN = path.join(__dirname, '..', '..', 'bin', 'firebreak.js');
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'alerts');

describe('firebreak sources, GET /v1/sources and alert send --source', function () {
  this.timeout(120_000);
  const pdSecret = hexSecret();
  const ghSecret = hexSecret();
  const refs = secretEnv('cli', { pd: pdSecret, gh: ghSecret, am: hexSecret() });
  let fb: FirebreakUnderTest;
  let cliEnv: NodeJS.ProcessEnv;

  before(async () => {
    fb = await startIngress({
      sources: {
        pd: { kind: 'pagerduty', auth: { secrets: [refs.pd] }, rateLimit: { perMinute: 120 } },
        gh: { kind: 'github', auth: { secrets: [refs.gh] }, dedupeRetentionDays: 3 },
        am: { kind: 'alertmanager', auth: { bearerTokens: [refs.am] }, grouping: 'per-group' },
      },
      routing: { rules: [], defaultRunbook: 'generic-alert-notice' },
    });
    // The CLI reads the same config file and secret references as the server (process.env carries the secrets).
    cliEnv = { ...process.env, FIREBREAK_URL: fb.baseUrl, FIREBREAK_TOKEN: fb.adminToken, FIREBREAK_DATA_DIR: fb.dataDir, FIREBREAK_CONFIG: path.join(fb.dataDir, 'ingress.yaml') };
  });
  after(async () => fb?.stop());

  it('GET /v1/sources lists every source with its endpoint URL and settings, never a secret, behind the token', async () => {
    assert.equal((await fb.api('GET', '/v1/sources', undefined, null)).status, 401);
    const answer = await fb.api<{ sources: SourceListing[] }>('GET', '/v1/sources');
    assert.equal(answer.status, 200);
    const byName = Object.fromEntries(answer.body.sources.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['am', 'generic', 'gh', 'pd']);
    assert.equal(byName.pd!.url, `${fb.baseUrl}/v1/alerts/pd`);
    assert.deepEqual([byName.pd!.kind, byName.pd!.rateLimitPerMinute, byName.gh!.dedupeRetentionDays, byName.am!.grouping, byName.generic!.builtIn], ['pagerduty', 120, 3, 'per-group', true]);
    const text = JSON.stringify(answer.body);
    for (const secret of [pdSecret, ghSecret, fb.secrets.webhookSigningSecret.reveal()]) assert.ok(!text.includes(secret));
  });

  it('firebreak sources --json prints the same list', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'sources', '--json'], { env: cliEnv });
    const names = (JSON.parse(stdout) as { sources: SourceListing[] }).sources.map((s) => s.name);
    assert.deepEqual(names, ['am', 'generic', 'gh', 'pd']);
  });

  it('alert send --source signs a PagerDuty payload with the configured secret reference and opens an incident', async () => {
    const body = JSON.parse(readFileSync(path.join(FIXTURES, 'pagerduty', 'incident-triggered.json'), 'utf8')) as { event: { data: { id: string } } };
    body.event.data.id = `QCLI${Date.now()}`;
    const file = path.join(tempDir('cli-alert'), 'pd.json');
    writeFileSync(file, JSON.stringify(body));
    const { stdout } = await run(process.execPath, [BIN, 'alert', 'send', '--source', 'pd', '--file', file, '--json'], { env: cliEnv });
    const answer = JSON.parse(stdout) as { accepted: boolean; incidents: { incidentId: string }[] };
    assert.equal(answer.accepted, true);
    assert.match(answer.incidents[0]!.incidentId, /^incident\/pd\//);
  });

  it('alert send --source signs a GitHub payload, naming the event from the body', async () => {
    const body = JSON.parse(readFileSync(path.join(FIXTURES, 'github', 'dependabot-created.json'), 'utf8')) as { alert: { number: number } };
    body.alert.number = Date.now() % 1e9;
    const file = path.join(tempDir('cli-alert'), 'gh.json');
    writeFileSync(file, JSON.stringify(body));
    const { stdout } = await run(process.execPath, [BIN, 'alert', 'send', '--source', 'gh', '--file', file, '--json'], { env: cliEnv });
    assert.match((JSON.parse(stdout) as { incidents: { incidentId: string }[] }).incidents[0]!.incidentId, /^incident\/gh\//);
  });

  it('alert send to a source the config does not name exits 2', async () => {
    const failed = await run(process.execPath, [BIN, 'alert', 'send', '--source', 'nope', '--example'], { env: cliEnv }).then(
      () => undefined,
      (error: { code: number }) => error,
    );
    assert.equal(failed?.code, 2);
  });
});
