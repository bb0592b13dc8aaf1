import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { cachedToken } from '../../../activities/containment/vendor-kit/oauth-token';
import { recordState, recordedBefore } from '../../../activities/containment/vendor-kit/state-evidence';
import { createVendorHttp } from '../../../activities/containment/vendor-kit/vendor-http';
import { EvidenceStore } from '../../../evidence';
import { loadApiDescription, startValidatingServer, type ValidatingServer } from '../../helpers/openapi-validating-server';

const fixture = (name: string) => path.join(__dirname, '..', '..', 'fixtures', 'vendor-apis', name);

function failureOf(type: string, check: (failure: ApplicationFailure) => void = () => undefined) {
  return (error: unknown) => {
    assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
    assert.equal(error.type, type);
    check(error);
    return true;
  };
}

describe('vendor kit: HTTP client', () => {
  let server: Server;
  let url: string;
  let answer: (res: import('node:http').ServerResponse) => void;
  before(async () => {
    server = createServer((_req, res) => answer(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const nowMs = Date.parse('2030-01-01T00:00:00Z') + (Date.now() % 1000) * 1000; // any instant: delays are relative
  const client = (onUnauthorized?: () => void) => createVendorHttp({ vendor: 'okta', baseUrl: url, authorization: async () => 'SSWS test-token', onUnauthorized, now: () => nowMs });
  const call = (c = client()) => c.send({ method: 'POST', path: '/api/v1/users/{id}/lifecycle/suspend', params: { id: 'alice@example.com' }, target: 'user alice@example.com' });

  it('retries a 429 after the Retry-After seconds the vendor asked for', async () => {
    answer = (res) => res.writeHead(429, { 'retry-after': '7' }).end();
    await assert.rejects(call(), failureOf('containment.rate_limited', (f) => {
      assert.equal(f.nonRetryable, false);
      assert.equal(f.nextRetryDelay, 7000);
    }));
  });

  it("retries a 429 at Okta's X-Rate-Limit-Reset (epoch seconds)", async () => {
    const reset = Math.floor(nowMs / 1000) + 42;
    answer = (res) => res.writeHead(429, { 'x-rate-limit-reset': String(reset) }).end();
    await assert.rejects(call(), failureOf('containment.rate_limited', (f) => assert.equal(f.nextRetryDelay, reset * 1000 - nowMs)));
  });

  it('fails a 404 at once, naming the target, never in a retry loop', async () => {
    answer = (res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"errorCode":"E0000007"}');
    await assert.rejects(call(), failureOf('containment.target_not_found', (f) => {
      assert.equal(f.nonRetryable, true);
      assert.match(f.message, /user alice@example\.com not found at okta/);
    }));
  });

  it('retries a 503 and drops the cached token on a 401 without retrying', async () => {
    answer = (res) => res.writeHead(503).end();
    await assert.rejects(call(), failureOf('containment.vendor_unavailable', (f) => assert.equal(f.nonRetryable, false)));
    let dropped = 0;
    answer = (res) => res.writeHead(401).end();
    await assert.rejects(call(client(() => dropped++)), failureOf('containment.unauthorized', (f) => assert.equal(f.nonRetryable, true)));
    assert.equal(dropped, 1);
  });

  it('plans the exact request with the authorization redacted', () => {
    const planned = client().plan({ method: 'DELETE', path: '/api/v1/users/{userId}/sessions', params: { userId: 'a/b@x.com' }, query: { oauthTokens: 'true' }, target: 'user a/b@x.com' });
    assert.equal(planned.url, `${url}/api/v1/users/a%2Fb%40x.com/sessions?oauthTokens=true`);
    assert.equal(planned.headers.authorization, '[redacted]');
  });
});

describe('vendor kit: token cache', () => {
  it('asks the token endpoint once until shortly before the token expires', async () => {
    let now = 1_000_000;
    let issued = 0;
    const source = cachedToken(async () => ({ accessToken: `t${++issued}`, expiresInSeconds: 3600 }), { now: () => now });
    assert.deepEqual(await Promise.all([source.header(), source.header(), source.header()]), ['Bearer t1', 'Bearer t1', 'Bearer t1']);
    now += 3600_000 - 61_000;
    assert.equal(await source.header(), 'Bearer t1');
    now += 2_000;
    assert.equal(await source.header(), 'Bearer t2');
    source.invalidate();
    assert.equal(await source.header(), 'Bearer t3');
  });
});

describe('vendor kit: request-validating server', () => {
  let okta: ValidatingServer;
  beforeEach(async () => {
    okta = await startValidatingServer(loadApiDescription(fixture('okta-management.yaml')));
    okta.handle('revokeUserSessions', () => ({ status: 204 }));
  });
  afterEach(() => okta.stop());
  const headers = { authorization: 'SSWS test-token', accept: 'application/json' };

  it('passes a request the published description allows to the handler', async () => {
    const res = await fetch(`${okta.url}/api/v1/users/00u1/sessions?oauthTokens=true`, { method: 'DELETE', headers });
    assert.equal(res.status, 204);
    okta.assertNoRefusals();
    assert.equal(okta.requests[0]?.operationId, 'revokeUserSessions');
  });

  it('refuses an unknown query parameter, a wrongly typed one, a body where none is taken, an unknown path and a missing credential', async () => {
    await fetch(`${okta.url}/api/v1/users/00u1/sessions?revokeTokens=true`, { method: 'DELETE', headers });
    await fetch(`${okta.url}/api/v1/users/00u1/sessions?oauthTokens=maybe`, { method: 'DELETE', headers });
    await fetch(`${okta.url}/api/v1/users/00u1/sessions`, { method: 'DELETE', headers: { ...headers, 'content-type': 'application/json' }, body: '{"all":true}' });
    await fetch(`${okta.url}/api/v1/users/00u1/suspend`, { method: 'POST', headers });
    await fetch(`${okta.url}/api/v1/users/00u1/sessions`, { method: 'DELETE' });
    assert.equal(okta.refusals.length, 5, JSON.stringify(okta.refusals, null, 2));
    assert.equal(okta.requests.length, 0);
    assert.throws(() => okta.assertNoRefusals(), /refuses 5 request/);
    okta.refusals.length = 0;
  });

  it("refuses a Google request body naming a field the discovery document's User does not have", async () => {
    const google = await startValidatingServer(loadApiDescription(fixture('google-admin-directory-v1.yaml')));
    try {
      google.handle('directory.users.update', () => ({ status: 200, body: {} }));
      const send = (body: unknown) =>
        fetch(`${google.url}/admin/directory/v1/users/alice%40example.com`, { method: 'PUT', headers: { authorization: 'Bearer x', 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal((await send({ suspended: true })).status, 200);
      assert.equal((await send({ suspend: true })).status, 400);
      assert.equal((await send({ suspended: 'yes' })).status, 400);
      assert.equal(google.refusals.length, 2);
    } finally {
      await google.stop();
    }
  });
});

describe('vendor kit: state evidence', () => {
  let dir: string;
  let store: EvidenceStore;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fb-state-'));
    store = await EvidenceStore.open(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const deps = () => ({ store: async () => store });
  const request = { key: 'inc-1/disable-account', incidentId: 'inc-1', stepId: 'disable-account', input: {} };
  const doc = (state: unknown) => ({ vendor: 'okta', action: 'identity.disable-user', target: 'user alice', phase: 'before' as const, state });

  it('keeps the first attempt\'s before state for a retry and hands it to the undo by the forward key', async () => {
    const first = await recordState(deps(), request, doc({ status: 'ACTIVE' }));
    const retry = await recordState(deps(), request, doc({ status: 'SUSPENDED' }));
    assert.deepEqual(retry.state, { status: 'ACTIVE' });
    assert.equal(retry.evidenceId, first.evidenceId);
    const recorded = await recordedBefore(deps(), { ...request, key: `${request.key}/undo` });
    assert.deepEqual(recorded?.state, { status: 'ACTIVE' });
    assert.equal(await recordedBefore(deps(), { ...request, key: 'inc-1/other/undo' }), undefined);
    const custody = await store.custody(first.evidenceId);
    assert.ok(custody.some((event) => event.event === 'collected'));
  });

  it('redacts credential-looking keys and refuses a state that contains a secret value', async () => {
    const recorded = await recordState(deps(), request, doc({ status: 'ACTIVE', apiToken: 'abc', nested: { password: 'p' } }));
    assert.deepEqual(recorded.state, { status: 'ACTIVE', apiToken: '[redacted]', nested: { password: '[redacted]' } });
    await assert.rejects(recordState(deps(), { ...request, key: 'inc-1/x' }, doc({ note: 'token is s3cr3t-value-123' }), ['s3cr3t-value-123']), /contains a credential/);
  });
});
