import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createContainmentActivities } from '../../activities/containment/adapters';
import type { HttpEndpoint } from '../../activities/http/endpoint';
import { HttpFailureType } from '../../activities/http/failures';
import { type HttpRequestResult, createHttpRequest } from '../../activities/http/request';
import type { ActionRequest } from '../../workflows/runbook-interpreter/steps/action';
import { RecordingServer } from '../helpers/recording-server';

const TOKEN = 'sk-test-0d1f2e3c4b5a';
const API_KEY = 'edr-key-9a8b7c';

function endpoint(url: string, overrides: Partial<HttpEndpoint> = {}): HttpEndpoint {
  return {
    name: 'idp',
    url,
    allowedHosts: [new URL(url).host],
    headers: { 'x-api-key': () => ({ reveal: () => API_KEY }) },
    secrets: { 'idp-token': () => ({ reveal: () => TOKEN }) },
    timeoutMs: 2000,
    ...overrides,
  };
}

const request = (input: Record<string, unknown>, stepId = 'call'): ActionRequest => ({ key: `incident/test/1/${stepId}`, incidentId: 'incident/test/1', stepId, input });

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the activity to fail');
}

describe('http.request activity', () => {
  let server: RecordingServer;
  const env = new MockActivityEnvironment();
  beforeEach(async () => {
    server = await RecordingServer.start();
  });
  afterEach(async () => server.stop());

  it('sends the secret header resolved by name, the idempotency key and the JSON body, and records status and body hash', async () => {
    server.respond = () => ({ status: 201, body: { id: 'u-1' } });
    const call = createHttpRequest({ endpoints: { idp: endpoint(`${server.url}/api`) } });
    const result = (await env.run(call, request({ endpoint: 'idp', method: 'POST', path: '/users/x', body: { a: 1 }, secretHeader: { name: 'Authorization', secret: 'idp-token' } }))) as HttpRequestResult;
    const [received] = server.calls;
    assert.equal(received!.path, '/api/users/x');
    assert.equal(received!.headers.authorization, TOKEN);
    assert.equal(received!.headers['x-api-key'], API_KEY);
    assert.equal(received!.headers['idempotency-key'], 'incident/test/1/call');
    assert.deepEqual(received!.body, { a: 1 });
    assert.equal(result.status, 201);
    assert.equal(result.bodySha256, createHash('sha256').update(JSON.stringify({ id: 'u-1' })).digest('hex'));
    assert.deepEqual(result.body, { id: 'u-1' });
  });

  it('keeps only the hash of an answer that echoes a secret', async () => {
    server.respond = (call) => ({ status: 200, body: { echoed: call.headers } });
    const call = createHttpRequest({ endpoints: { idp: endpoint(server.url) } });
    const result = (await env.run(call, request({ endpoint: 'idp', method: 'GET', secretHeader: { name: 'Authorization', secret: 'idp-token' } }))) as HttpRequestResult;
    assert.equal(result.body, undefined);
    assert.ok(!JSON.stringify(result).includes(TOKEN));
    assert.ok(!JSON.stringify(result).includes(API_KEY));
  });

  it('fails a 4xx without retry, with a stable type', async () => {
    server.respond = () => ({ status: 404, body: { error: 'no such user' } });
    const failure = await failureOf(env.run(createHttpRequest({ endpoints: { idp: endpoint(server.url) } }), request({ endpoint: 'idp', method: 'GET' })));
    assert.equal(failure.type, HttpFailureType.ClientError);
    assert.equal(failure.nonRetryable, true);
  });

  it('lets a 5xx be retried', async () => {
    server.respond = () => ({ status: 502 });
    const failure = await failureOf(env.run(createHttpRequest({ endpoints: { idp: endpoint(server.url) } }), request({ endpoint: 'idp', method: 'GET' })));
    assert.equal(failure.type, HttpFailureType.ServerError);
    assert.equal(failure.nonRetryable, false);
  });

  it('honours Retry-After on a 429 as the next retry delay', async () => {
    server.respond = () => ({ status: 429, headers: { 'retry-after': '7' } });
    const failure = await failureOf(env.run(createHttpRequest({ endpoints: { idp: endpoint(server.url) } }), request({ endpoint: 'idp', method: 'GET' })));
    assert.equal(failure.type, HttpFailureType.RateLimited);
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, 7000);
  });

  it('retries when the endpoint is unreachable', async () => {
    const url = server.url;
    await server.stop();
    const failure = await failureOf(env.run(createHttpRequest({ endpoints: { idp: endpoint(url) } }), request({ endpoint: 'idp', method: 'GET' })));
    assert.equal(failure.type, HttpFailureType.Unreachable);
    assert.equal(failure.nonRetryable, false);
    server = await RecordingServer.start();
  });

  it('refuses a path that would leave the allowed hosts, and a redirect to another host, before sending anything there', async () => {
    const call = createHttpRequest({ endpoints: { idp: endpoint(server.url) } });
    const escaped = await failureOf(env.run(call, request({ endpoint: 'idp', method: 'GET', path: '//169.254.169.254/latest/meta-data' })));
    assert.equal(escaped.type, HttpFailureType.HostNotAllowed);
    assert.equal(escaped.nonRetryable, true);
    server.respond = () => ({ status: 302, headers: { location: 'http://169.254.169.254/latest' } });
    const redirected = await failureOf(env.run(call, request({ endpoint: 'idp', method: 'GET', path: '/go' })));
    assert.equal(redirected.type, HttpFailureType.HostNotAllowed);
    assert.equal(server.calls.length, 1);
  });

  it('refuses unknown endpoints and secrets the endpoint does not hold', async () => {
    const call = createHttpRequest({ endpoints: { idp: endpoint(server.url) } });
    assert.equal((await failureOf(env.run(call, request({ endpoint: 'edr', method: 'GET' })))).type, HttpFailureType.EndpointUnknown);
    const foreign = await failureOf(env.run(call, request({ endpoint: 'idp', method: 'GET', secretHeader: { name: 'Authorization', secret: 'edr-token' } })));
    assert.equal(foreign.type, HttpFailureType.SecretUnknown);
    assert.equal(server.calls.length, 0);
  });
});

describe('containment adapters', () => {
  let server: RecordingServer;
  const env = new MockActivityEnvironment();
  beforeEach(async () => {
    server = await RecordingServer.start();
  });
  afterEach(async () => server.stop());

  it('call the configured endpoint of their area with a realistic body and the request key as idempotency key', async () => {
    const activities = createContainmentActivities({ identity: endpoint(server.url), network: endpoint(server.url), host: endpoint(server.url) });
    await env.run(activities['identity.disable-user'], request({ user: 'mallory@example.com', reason: 'compromise' }, 'disable'));
    await env.run(activities['network.block-ip'], request({ ip: '203.0.113.0/24', ttl: '7d' }, 'block'));
    await env.run(activities['host.isolate'], request({ host: 'wks-042' }, 'isolate'));
    await env.run(activities['network.unblock-ip'], request({ ip: '203.0.113.0/24' }, 'block'));
    assert.deepEqual(
      server.calls.map((c) => [c.method, c.path, c.headers['idempotency-key']]),
      [
        ['POST', '/v1/users/mallory%40example.com/suspend', 'incident/test/1/disable'],
        ['POST', '/v1/blocklist', 'incident/test/1/block'],
        ['POST', '/v1/hosts/wks-042/containment', 'incident/test/1/isolate'],
        ['DELETE', '/v1/blocklist/203.0.113.0%2F24', 'incident/test/1/block'],
      ],
    );
    assert.equal((server.calls[0]!.body as { revokeSessions: boolean }).revokeSessions, true);
    assert.equal((server.calls[1]!.body as { ttlSeconds: number }).ttlSeconds, 7 * 86_400);
    assert.equal((server.calls[2]!.body as { action: string }).action, 'contain');
  });

  it('refuses an address that is not an IP or CIDR range without calling the firewall', async () => {
    const activities = createContainmentActivities({ network: endpoint(server.url) });
    for (const ip of ['not-an-ip', '10.0.0.1/33', '10.0.0.1/8/1']) {
      const failure = await failureOf(env.run(activities['network.block-ip'], request({ ip })));
      assert.equal(failure.type, 'action.invalid_input');
    }
    assert.equal(server.calls.length, 0);
  });

  it('fails with containment.not_configured when no endpoint serves the area', async () => {
    const failure = await failureOf(env.run(createContainmentActivities({})['host.isolate'], request({ host: 'wks-1' })));
    assert.equal(failure.type, HttpFailureType.ContainmentNotConfigured);
    assert.equal(failure.nonRetryable, true);
  });
});
