import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FirebreakUnderTest, type Person, eventually } from '../helpers/firebreak';
import { historyText } from '../helpers/history-text';
import { RecordingServer } from '../helpers/recording-server';
import { tempDir } from '../helpers/temporal';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'runbooks');
const TICKETING_TOKEN = `tkt_${'7f3a9c'.repeat(6)}`;
const EDR_KEY = `edr_${'51b2'.repeat(6)}`;
const PEOPLE: Person[] = [
  { id: 'carol', roles: ['security-oncall'] },
  { id: 'dave', roles: [] },
];

/** A config file with the people the harness gives tokens to, plus endpoints that all point at the recording server. */
function writeConfig(dir: string, server: RecordingServer): string {
  process.env.FB_TEST_TICKETING_TOKEN = TICKETING_TOKEN;
  process.env.FB_TEST_EDR_KEY = EDR_KEY;
  const file = path.join(dir, 'firebreak-endpoints.yaml');
  writeFileSync(
    file,
    toYaml({
      people: PEOPLE.map((p) => ({ id: p.id, roles: p.roles, tokens: [`env:FB_TEST_TOKEN_${p.id.toUpperCase()}`] })),
      endpoints: {
        idp: { url: server.url },
        firewall: { url: server.url },
        edr: { url: server.url, headers: { Authorization: 'env:FB_TEST_EDR_KEY' } },
        ticketing: { url: `${server.url}/ticketing`, secrets: { 'ticketing-token': 'env:FB_TEST_TICKETING_TOKEN' } },
        flaky: { url: `${server.url}/flaky`, timeoutMs: 2000 },
      },
      containment: { identity: 'idp', network: 'firewall', host: 'edr' },
    }),
  );
  return file;
}

describe('containment, undo and failure policies against a recording HTTP server', function () {
  this.timeout(120_000);
  let fb: FirebreakUnderTest;
  let server: RecordingServer;
  let runbooksDir: string;
  let neededHealed = false;

  before(async () => {
    server = await RecordingServer.start();
    // Distinct delays fix the order the three parallel containments complete in: host, then IP, then account.
    server.respond = (call) => {
      if (call.path.endsWith('/suspend')) return { status: 200, body: { status: 'SUSPENDED' }, delayMs: 900 };
      if (call.method === 'POST' && call.path === '/v1/blocklist') return { status: 201, body: { id: 'rule-1' }, delayMs: 500 };
      if (call.path.startsWith('/v1/hosts/') && (call.body as { action: string }).action === 'contain') return { status: 202, body: { id: 'c-1' }, delayMs: 100 };
      if (call.path === '/flaky/optional') return { status: 404, body: { error: 'not found' } };
      if (call.path === '/flaky/needed') return neededHealed ? { status: 200, body: { found: true } } : { status: 503 };
      if (call.path === '/flaky/must-succeed') return { status: 400, body: { error: 'bad request' } };
      return undefined;
    };
    runbooksDir = tempDir('runbooks');
    // Only this folder's own runbooks: sub-folders hold other tests' libraries.
    for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.yaml'))) copyFileSync(path.join(FIXTURES, name), path.join(runbooksDir, name));
    const dataDir = tempDir('data');
    fb = await FirebreakUnderTest.start({ dataDir, people: PEOPLE, env: { FIREBREAK_CONFIG: writeConfig(dataDir, server), FIREBREAK_RUNBOOKS_DIR: runbooksDir } });
  });
  after(async () => {
    await fb?.stop();
    await server?.stop();
  });

  async function declare(runbook: string): Promise<string> {
    const declared = await fb.api<{ incidentId: string }>('POST', '/v1/incidents', { title: `drill ${runbook}`, runbook, severity: 'high' });
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    return declared.body.incidentId;
  }

  async function status(id: string): Promise<IncidentStatus> {
    return (await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`)).body;
  }

  async function until(id: string, what: string, check: (s: IncidentStatus) => boolean): Promise<IncidentStatus> {
    return eventually(async () => {
      const s = await status(id);
      return check(s) ? s : undefined;
    }, 30_000, what);
  }

  const stepState = (s: IncidentStatus, id: string) => s.steps.find((step) => step.id === id)?.state;

  it('contains in parallel, and on abort undoes each containment in reverse order of completion', async () => {
    const id = await declare('containment-drill');
    await until(id, 'scope-known waiting', (s) => stepState(s, 'scope-known') === 'waiting');
    const keyOf = (suffix: string) => `${id}/${suffix}`;
    const contained = server.calls.filter((c) => c.headers['idempotency-key']?.toString().startsWith(id));
    assert.deepEqual(contained.map((c) => c.headers['idempotency-key']).sort(), [keyOf('block-source'), keyOf('disable-account'), keyOf('isolate-host'), keyOf('open-ticket')]);

    const refused = await fb.api('POST', `/v1/incidents/${id}/abort`, { reason: 'not mine to stop' }, 'token-dave');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'approval.not_permitted');
    const aborted = await fb.api('POST', `/v1/incidents/${id}/abort`, { reason: 'drill over' }, 'token-carol');
    assert.equal(aborted.status, 200, JSON.stringify(aborted.body));

    const done = await until(id, 'aborted', (s) => s.phase === 'aborted' && s.timeline.some((t) => t.event === 'incident.aborted'));
    const undos = server.calls.filter((c) => c.headers['idempotency-key']?.toString().startsWith(id) && c.headers['idempotency-key']!.toString().endsWith('/undo'));
    assert.deepEqual(
      undos.map((c) => [c.method, c.path, c.headers['idempotency-key']]),
      [
        ['POST', '/v1/users/mallory%40example.com/unsuspend', keyOf('disable-account/undo')],
        ['DELETE', '/v1/blocklist/203.0.113.7', keyOf('block-source/undo')],
        ['POST', '/v1/hosts/wks-042/containment', keyOf('isolate-host/undo')],
      ],
    );
    assert.equal((undos[2]!.body as { action: string }).action, 'lift_containment');
    assert.equal(undos[2]!.headers.authorization, EDR_KEY, 'the adapter sends its configured header');
    assert.deepEqual(
      done.timeline.filter((t) => t.event === 'step.compensated').map((t) => t.stepId),
      ['disable-account', 'block-source', 'isolate-host'],
    );
    assert.deepEqual(['disable-account', 'block-source', 'isolate-host'].map((step) => stepState(done, step)), ['compensated', 'compensated', 'compensated']);
  });

  it('sends the http.request secret header, yet the secret is nowhere in history or status', async () => {
    const id = await declare('containment-drill');
    const s = await until(id, 'scope-known waiting', (st) => stepState(st, 'scope-known') === 'waiting');
    const ticket = server.calls.find((c) => c.headers['idempotency-key'] === `${id}/open-ticket`)!;
    assert.equal(ticket.path, '/ticketing/tickets');
    assert.equal(ticket.headers.authorization, TICKETING_TOKEN);
    assert.deepEqual(ticket.body, { title: `Containment drill ${id}`, severity: 'high' });

    const history = await historyText(await fb.client.workflow.getHandle(id).fetchHistory(), fb.secrets.keyring);
    assert.ok(history.includes(`Containment drill ${id}`), 'payloads were decoded (the rendered ticket title is there)');
    assert.ok(!history.includes(TICKETING_TOKEN), 'the http.request secret is not in history');
    assert.ok(!history.includes(EDR_KEY), 'the adapter header secret is not in history');
    assert.ok(!JSON.stringify(s).includes(TICKETING_TOKEN));
    assert.equal((s.steps.find((step) => step.id === 'open-ticket')!.result as { status: number }).status, 200);
    await fb.api('POST', `/v1/incidents/${id}/abort`, { reason: 'cleanup' }, 'token-carol');
  });

  it('goes on past a failure under continue, blocks under escalate until someone chooses retry', async () => {
    const id = await declare('failure-policies');
    const blocked = await until(id, 'needed-lookup blocked', (s) => stepState(s, 'needed-lookup') === 'blocked');
    const optional = blocked.steps.find((step) => step.id === 'optional-lookup')!;
    assert.equal(optional.state, 'failed');
    assert.equal(optional.error?.type, 'http.client_error');
    assert.equal(blocked.steps.find((step) => step.id === 'needed-lookup')!.error?.type, 'http.server_error');
    assert.equal(stepState(blocked, 'after-lookups'), undefined, 'nothing after the blocked step ran');

    const route = `/v1/incidents/${id}/steps/needed-lookup/resolve`;
    const byDave = await fb.api('POST', route, { choice: 'retry', reason: 'try again' }, 'token-dave');
    assert.equal(byDave.status, 403);
    const notBlocked = await fb.api('POST', `/v1/incidents/${id}/steps/optional-lookup/resolve`, { choice: 'retry', reason: 'x' }, 'token-carol');
    assert.equal(notBlocked.status, 409);
    assert.equal(notBlocked.body.error, 'step.not_waiting');
    const badChoice = await fb.api('POST', route, { choice: 'ignore', reason: 'x' }, 'token-carol');
    assert.equal(badChoice.status, 400);

    neededHealed = true;
    const resolved = await fb.api('POST', route, { choice: 'retry', reason: 'upstream is back' }, 'token-carol');
    assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
    const done = await until(id, 'completed', (s) => s.phase === 'completed');
    assert.equal(stepState(done, 'needed-lookup'), 'done');
    assert.equal(stepState(done, 'after-lookups'), 'done');
    assert.ok(done.timeline.some((t) => t.event === 'step.resolution.retry' && t.actor === 'carol'));
  });

  it('fails the runbook under abort and undoes the containment that preceded the failure', async () => {
    const id = await declare('abort-on-failure');
    const done = await until(id, 'failed', (s) => s.phase === 'failed' && s.timeline.some((t) => t.event === 'incident.failed'));
    assert.equal(done.steps.find((step) => step.id === 'must-succeed')!.error?.type, 'http.client_error');
    assert.equal(server.calls.filter((c) => c.headers['idempotency-key'] === `${id}/must-succeed`).length, 1, 'a 4xx is not retried');
    assert.equal(stepState(done, 'never-reached'), undefined);
    assert.equal(stepState(done, 'disable-account'), 'compensated');
    const undo = server.calls.find((c) => c.headers['idempotency-key'] === `${id}/disable-account/undo`);
    assert.equal(undo?.path, '/v1/users/trudy%40example.com/unsuspend');
  });

  it('keeps a running incident on the runbook it started with after the file is edited; a new incident gets the edit', async () => {
    const first = await declare('pinned');
    const before = await until(first, 'hold waiting', (s) => stepState(s, 'hold') === 'waiting');
    const file = path.join(runbooksDir, 'pinned-v1.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('version: 1', 'version: 2').replace('after-v1', 'after-v2'));
    // The catalog looks at the runbook directory at most once a second (each look stats every file), and the first
    // declare looked less than a second ago: an edit reaches new incidents within a second, not instantly.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const second = await declare('pinned');
    const edited = await until(second, 'hold waiting', (s) => stepState(s, 'hold') === 'waiting');
    assert.equal(edited.runbook.version, 2);
    assert.notEqual(edited.runbook.sha256, before.runbook.sha256);

    for (const id of [first, second]) {
      const answered = await fb.api('POST', `/v1/incidents/${id}/steps/hold/answer`, { value: true }, 'token-carol');
      assert.equal(answered.status, 200, JSON.stringify(answered.body));
    }
    const firstDone = await until(first, 'first completed', (s) => s.phase === 'completed');
    const secondDone = await until(second, 'second completed', (s) => s.phase === 'completed');
    assert.deepEqual(firstDone.runbook, before.runbook);
    assert.deepEqual(firstDone.steps.map((s) => s.id), ['hold', 'after-v1']);
    assert.deepEqual(secondDone.steps.map((s) => s.id), ['hold', 'after-v2']);
  });
});
