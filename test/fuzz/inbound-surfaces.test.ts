import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { slackSignature } from '../../ingress/slack/request-verification';
import { signDelivery } from '../../ingress/webhooks/delivery-signer';
import type { SourceKindName } from '../../ingress/webhooks/sources';
import { FakeSlack } from '../helpers/fake-slack';
import { FirebreakUnderTest } from '../helpers/firebreak';
import { hexSecret, secretEnv, whsec } from '../ingress/ingress-harness';

/*
 * Property-based fuzzing of every inbound surface of one real Firebreak (HTTP API, Slack's request URL, an alert
 * source of every kind, health and metrics) on the suite's Temporal server. Properties: no 5xx (Temporal is up, so
 * not even 503), nothing forged gets a 2xx, and the server's heap after a forced GC stays within HEAP_BOUND_MB of
 * before. FIREBREAK_FUZZ_RUNS sets the request count (default 2,500: well under a minute here).
 */

const RUNS = Number(process.env.FIREBREAK_FUZZ_RUNS ?? 2_500);
const HEAP_BOUND_MB = 64;
const TEAM = { id: 'T0FUZZ', appId: 'A0FUZZ' };

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface Req {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer | string;
  /** True when the credentials are not genuine: a 2xx would accept something forged. */
  forged: boolean;
  surface: string;
}

// ---- building blocks ------------------------------------------------------------------------------------------
const nasty = fc.constantFrom('..', '%2e%2e', '..%2f..%2f', '%2F', '%00', '\u0000', '~', '.', '%ff', '%c0%ae', 'incident', 'generic', 'declared', `ev-${'0'.repeat(32)}`, 'a'.repeat(300), '\ud800', '😀', 'ﬀ', 'İ', '\u202e', ' ');
/** Percent-encodes what an HTTP client cannot put on the wire raw (controls, spaces, non-ASCII, lone surrogates as UTF-8 of U+FFFD). */
const onTheWire = (path: string): string => path.replace(/[^\x21-\x7e]/gu, (c) => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
const segment = fc
  .tuple(fc.oneof(nasty, fc.string({ maxLength: 40 }), fc.fullUnicodeString({ maxLength: 20 }), fc.hexaString({ minLength: 32, maxLength: 32 })), fc.boolean())
  .map(([s, encode]) => (encode ? onTheWire(s).replace(/[?#/]/g, (c) => encodeURIComponent(c)) : s.replace(/[?#/]/g, '_')));
const deep = fc.integer({ min: 50, max: 20_000 }).chain((n) => fc.constantFrom('['.repeat(n) + ']'.repeat(n), '{"a":'.repeat(n) + '1' + '}'.repeat(n), '['.repeat(n)));
const huge = fc.integer({ min: 100_000, max: 400_000 }).map((n) => JSON.stringify({ title: 'x'.repeat(n), reason: 'y', value: 'z' }));
const fieldValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.fullUnicodeString({ maxLength: 50 }), fc.constantFrom('', ' ', '\u0000', '\ud800\udfff', 'a'.repeat(5000), '__proto__', 'constructor'));
const typed = fc
  .record({ title: fieldValue, runbook: fieldValue, severity: fieldValue, reason: fieldValue, value: fieldValue, choice: fieldValue, draftSha256: fieldValue, to: fieldValue, description: fieldValue, labels: fieldValue, fingerprint: fieldValue }, { requiredKeys: [] })
  .map((o) => JSON.stringify(o));
const bodyText = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 200 }),
  fc.fullUnicodeString({ maxLength: 200 }),
  fc.constantFrom('{', '[', '{"a":', 'null', '""', '0', 'true', '\u0000', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '\ufeff{}', '{"title":"t","title":"u"}'),
  typed,
  deep,
  huge,
);
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/x-www-form-urlencoded', '', 'multipart/form-data; boundary=x', 'application/json, text/plain', 'application/octet-stream', 'application/json; charset=latin1');

// ---- the server under test ----------------------------------------------------------------------------------------
describe('fuzz: every inbound surface refuses malformed and forged requests cleanly', function () {
  this.timeout(Math.max(180_000, RUNS * 100));
  let fb: FirebreakUnderTest;
  let slack: FakeSlack;
  const values = { sw: whsec(), am: hexSecret(), gf: hexSecret(), gh: hexSecret(), pd: hexSecret(), slack: hexSecret() };
  const refs = secretEnv('fuzz', values);
  const kinds: Record<string, { kind: SourceKindName; auth: Record<string, unknown>; config: Record<string, unknown> }> = {
    sw: { kind: 'standard-webhooks', auth: { secrets: [values.sw] }, config: { secrets: [refs.sw] } },
    am: { kind: 'alertmanager', auth: { bearerTokens: [values.am] }, config: { bearerTokens: [refs.am] } },
    gf: { kind: 'grafana', auth: { hmac: { secrets: [values.gf], signatureHeader: 'x-grafana-alerting-signature' } }, config: { hmac: { secrets: [refs.gf] } } },
    gh: { kind: 'github', auth: { secrets: [values.gh] }, config: { secrets: [refs.gh] } },
    pd: { kind: 'pagerduty', auth: { secrets: [values.pd] }, config: { secrets: [refs.pd] } },
  };

  before(async () => {
    slack = await FakeSlack.start();
    process.env.FB_TEST_FUZZ_SLACK_BOT = slack.botToken;
    fb = await FirebreakUnderTest.start({
      people: [{ id: 'cmd', roles: ['incident-commander'] }, { id: 'nora', roles: [] }],
      config: {
        sources: Object.fromEntries(Object.entries(kinds).map(([name, s]) => [name, { kind: s.kind, auth: s.config }])),
        routing: { rules: [], defaultRunbook: 'generic-alert-notice' },
        slack: { botToken: 'env:FB_TEST_FUZZ_SLACK_BOT', signingSecret: refs.slack, teamId: TEAM.id, appId: TEAM.appId, apiUrl: slack.apiUrl, temporalTimeoutMs: 2_000 },
      },
    });
  });
  after(async () => {
    await fb?.stop();
    await slack?.stop();
  });

  function send(req: Req): Promise<{ status: number; body: string }> {
    const url = new URL(fb.baseUrl);
    return new Promise((resolve, reject) => {
      const request = http.request({ host: url.hostname, port: url.port, method: req.method, path: onTheWire(req.path), headers: req.headers, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 500) }));
      });
      // The server may answer (413, 401) and close before a large body is fully written: that is its answer.
      request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: 0, body: error.code }) : reject(error)));
      request.setTimeout(30_000, () => request.destroy(new Error(`no answer to ${req.method} ${req.path}`)));
      request.end(req.body);
    });
  }

  // ---- one arbitrary per surface ----
  const incidentPath = fc.tuple(segment, segment, segment, fc.boolean()).map(([a, b, c, shaped]) => (shaped ? `incident/generic/${c}` : `${a}/${b}/${c}`));
  const apiRoute = fc.oneof(
    fc.constant(['GET', '/v1/incidents']),
    fc.tuple(fc.constantFrom('limit', 'cursor', 'running', 'x'), segment).map(([k, v]) => ['GET', `/v1/incidents?${k}=${v}&${k}=${v}`]),
    incidentPath.map((p) => ['GET', `/v1/incidents/${p}`]),
    fc.constant(['POST', '/v1/incidents']),
    fc.tuple(incidentPath, segment, fc.constantFrom('approve', 'reject', 'answer', 'resolve')).map(([p, s, d]) => ['POST', `/v1/incidents/${p}/steps/${s}/${d}`]),
    incidentPath.map((p) => ['POST', `/v1/incidents/${p}/abort`]),
    incidentPath.map((p) => ['POST', `/v1/incidents/${p}/runbooks`]),
    fc.tuple(incidentPath, segment).map(([p, c]) => ['POST', `/v1/incidents/${p}/clocks/${c}/stop`]),
    incidentPath.map((p) => ['GET', `/v1/incidents/${p}/evidence`]),
    fc.tuple(incidentPath, segment).map(([p, n]) => ['POST', `/v1/incidents/${p}/evidence?name=${n}`]),
    incidentPath.map((p) => ['GET', `/v1/incidents/${p}/report?format=json`]),
    segment.map((id) => ['GET', `/v1/evidence/${id}`]),
    segment.map((id) => ['GET', `/v1/evidence/${id}/content?purpose=x`]),
    segment.map((id) => ['POST', `/v1/evidence/${id}/hand-over`]),
    fc.constantFrom(['GET', '/v1/runbooks'], ['GET', '/v1/sources'], ['GET', '/v1/audit/witness'], ['POST', '/codec/decode'], ['POST', '/codec/encode'], ['DELETE', '/v1/incidents'], ['PUT', '/v1/evidence/x']),
  );
  const token = fc.constantFrom<[string | string[] | undefined, boolean]>(
    [`Bearer ${'token-cmd'}`, false],
    ['Bearer token-nora', false],
    [undefined, true],
    ['Bearer forged-token', true],
    ['Basic dG9rZW4tY21kOg==', true],
    ['Bearer ', true],
    ['bearer token-cmd extra', true],
    [['Bearer forged', 'Bearer token-cmd'], true],
  );
  const apiRequest = fc.tuple(apiRoute, token, bodyText, contentType).map(([[method, path], [auth, forged], body, type]): Req => ({
    surface: 'api',
    method: method!,
    path: path!,
    headers: { ...(auth !== undefined && { authorization: auth }), ...(method !== 'GET' && { 'content-type': type }) },
    body: method === 'GET' ? undefined : body,
    // Admin-token requests are genuine; anything else must not reach data (nora may, where the policy lets her).
    forged,
  }));

  const alertRequest = fc.tuple(fc.constantFrom(...Object.keys(kinds), 'nope', '..%2fsw', 'SW'), fc.constantFrom('signed', 'forged', 'unsigned', 'duplicated'), bodyText, contentType).map(([source, how, body, type]): Req => {
    const kind = kinds[source];
    const headers: Record<string, string | string[]> = { 'content-type': type };
    if (kind && how !== 'unsigned') {
      const auth = how === 'forged' ? forgedAuth(kind.kind) : kind.auth;
      const signed = signDelivery(kind.kind, auth, body, { githubEvent: 'secret_scanning_alert' });
      for (const [name, value] of Object.entries(signed)) headers[name] = how === 'duplicated' ? [value, value] : value;
    }
    return { surface: `alert:${kind?.kind ?? 'unknown'}`, method: 'POST', path: `/v1/alerts/${source}`, headers, body, forged: !kind || how === 'forged' || how === 'unsigned' };
  });

  const slackPayload = fc.oneof(
    fc.record({ command: fc.constantFrom('/incident', '/other'), text: fc.fullUnicodeString({ maxLength: 60 }), user_id: fc.constantFrom('U1', '', '\u0000'), team_id: fc.constantFrom(TEAM.id, 'TOTHER'), api_app_id: fc.constantFrom(TEAM.appId, 'AOTHER'), trigger_id: fc.string() }).map((f) => new URLSearchParams(f).toString()),
    fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('block_actions', 'view_submission', 'shortcut', 'x')).map(([v, type]) => new URLSearchParams({ payload: JSON.stringify({ type, team: { id: TEAM.id }, api_app_id: TEAM.appId, user: { id: 'U1' }, actions: v, view: v }) }).toString()),
    fc.constantFrom('payload=%7B', 'payload=', 'payload=null', 'a=1&a=2', '%', 'payload=%7B%22type%22%3A%22url_verification%22%2C%22challenge%22%3A%22x%22%7D'),
    bodyText,
  );
  const slackRequest = fc.tuple(slackPayload, fc.constantFrom('signed', 'forged', 'stale', 'unsigned'), fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain')).map(([body, how, type]): Req => {
    const now = Math.floor(Date.now() / 1000);
    const ts = String(how === 'stale' ? now - 3600 : now);
    const secret = how === 'forged' ? hexSecret() : values.slack;
    const headers: Record<string, string | string[]> = { 'content-type': type };
    if (how !== 'unsigned') Object.assign(headers, { 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSignature(secret, ts, body) });
    return { surface: 'slack', method: 'POST', path: '/slack/events', headers, body, forged: how !== 'signed' };
  });

  const otherRequest = fc.tuple(fc.constantFrom('/healthz', '/metrics', '/', '/v1', '/../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/v1/incidents/../../secrets', '/console', '/slack/events'), fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'TRACE')).map(([path, method]): Req => ({ surface: 'other', method, path, headers: {}, forged: false }));

  function forgedAuth(kind: SourceKindName): Record<string, unknown> {
    if (kind === 'alertmanager') return { bearerTokens: [hexSecret()] };
    if (kind === 'grafana') return { hmac: { secrets: [hexSecret()], signatureHeader: 'x-grafana-alerting-signature' } };
    if (kind === 'standard-webhooks') return { secrets: [whsec()] };
    return { secrets: [hexSecret()] };
  }

  it(`answers ${RUNS} arbitrary requests without a 5xx, accepts nothing forged, and keeps its heap within ${HEAP_BOUND_MB} MiB`, async () => {
    // Warm up every surface once (runbook catalog, Slack app, first Temporal calls), so the memory baseline is fair.
    for (const path of ['/v1/incidents', '/v1/runbooks', '/healthz']) await send({ surface: 'warm', method: 'GET', path, headers: { authorization: 'Bearer token-cmd' }, forged: false });
    gc();
    const before = process.memoryUsage();
    const byStatus = new Map<number, number>();
    const bySurface = new Map<string, number>();
    const failures: string[] = [];
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: apiRequest, weight: 5 }, { arbitrary: alertRequest, weight: 3 }, { arbitrary: slackRequest, weight: 2 }, { arbitrary: otherRequest, weight: 1 }), async (req) => {
        const answer = await send(req);
        byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
        bySurface.set(req.surface, (bySurface.get(req.surface) ?? 0) + 1);
        const what = `${req.method} ${req.path.slice(0, 120)} (${req.surface}${req.forged ? ', forged' : ''}) -> ${answer.status} ${answer.body.slice(0, 200)}`;
        if (answer.status >= 500) failures.push(what);
        assert.ok(answer.status < 500, what);
        if (req.forged && req.surface !== 'other') assert.ok(answer.status >= 400, `forged request accepted: ${what}`);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    const tookMs = Date.now() - started;
    gc();
    const after = process.memoryUsage();
    const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
    const figures = {
      requests: RUNS,
      seconds: tookMs / 1000,
      byStatus: Object.fromEntries([...byStatus.entries()].sort((a, b) => a[0] - b[0])),
      bySurface: Object.fromEntries(bySurface),
      fiveXX: failures.length,
      heapUsedMiB: { before: mb(before.heapUsed), after: mb(after.heapUsed) },
      rssMiB: { before: mb(before.rss), after: mb(after.rss) },
    };
    process.stdout.write(`      fuzz figures: ${JSON.stringify(figures)}\n`);
    assert.equal(failures.length, 0);
    assert.ok(after.heapUsed - before.heapUsed < HEAP_BOUND_MB * 1024 * 1024, `heap grew ${mb(after.heapUsed - before.heapUsed)} MiB`);
  });

  it('still serves a genuine request after the run', async () => {
    const answer = await fb.api('GET', '/v1/runbooks', undefined, 'token-cmd');
    assert.equal(answer.status, 200);
    const alert = await fb.api('GET', `/v1/incidents/incident/generic/${randomUUID().replace(/-/g, '')}`, undefined, 'token-cmd');
    assert.equal(alert.status, 404);
  });
});
