import assert from 'node:assert/strict';
import net from 'node:net';
import type { FirebreakUnderTest } from '../helpers/firebreak';
import { deliveriesCounted, post, secretEnv, send, startIngress, whsec } from './ingress-harness';

const BODY_LIMIT = 2048;

/** Sends `head` (request line and headers) and optionally some body bytes on a raw socket; resolves with the status code. */
function rawRequest(port: number, head: string, body?: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (match) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on('error', reject);
    socket.write(head);
    if (body) socket.write(body);
    // The socket is left open: the answer must come without the rest of the body ever being sent.
  });
}

describe('ingress answers follow the senders\' retry rules', function () {
  this.timeout(120_000);
  const secret = whsec();
  const refs = secretEnv('responses', { secret });
  const auth = { secrets: [secret] };
  let fb: FirebreakUnderTest;
  let port: number;
  const alert = (title: string) => ({ title, labels: { suite: 'responses' } });

  before(async () => {
    fb = await startIngress(
      {
        sources: {
          limited: { kind: 'standard-webhooks', auth: { secrets: [refs.secret] }, rateLimit: { perMinute: 2 }, routing: [{ when: 'true', runbook: 'generic-alert-notice' }] },
          guarded: { kind: 'standard-webhooks', auth: { secrets: [refs.secret] }, rateLimit: { perMinute: 1 }, routing: [{ when: 'true', runbook: 'generic-alert-notice' }] },
          open: { kind: 'standard-webhooks', auth: { secrets: [refs.secret] }, routing: [{ when: 'alert.labels.suite == "responses" && !has(alert.labels.unrouted)', runbook: 'generic-alert-notice' }] },
        },
      },
      { env: { FIREBREAK_HTTP_BODY_LIMIT: String(BODY_LIMIT) } },
    );
    port = Number(new URL(fb.baseUrl).port);
  });
  after(async () => fb?.stop());

  it('413 from Content-Length alone, before any of the body is read', async () => {
    const status = await rawRequest(port, `POST /v1/alerts/open HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n`);
    assert.equal(status, 413);
  });

  it('413 for a chunked body without Content-Length once it passes the limit, without waiting for its end', async () => {
    const chunk = Buffer.alloc(BODY_LIMIT + 100, 'a');
    const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    const status = await rawRequest(port, `POST /v1/alerts/open HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`, framed);
    assert.equal(status, 413);
  });

  it('415 for a body that is not JSON by Content-Type', async () => {
    const answer = await post(fb, 'open', 'title=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(answer.status, 415);
    assert.equal(answer.body.error, 'request.unsupported_media_type');
  });

  it('401 without a signature, 404 for an unknown source', async () => {
    const unsigned = await post(fb, 'open', JSON.stringify(alert('unsigned')), { 'content-type': 'application/json' });
    const unknown = await post(fb, 'no-such-source', '{}', { 'content-type': 'application/json' });
    assert.deepEqual([unsigned.status, unsigned.body.error, unknown.status, unknown.body.error], [401, 'auth.missing', 404, 'source.unknown']);
  });

  it('400 naming the field for a malformed alert, and for a body that is not JSON', async () => {
    const malformed = await send(fb, 'open', 'standard-webhooks', auth, { severity: 'urgent' });
    const notJson = await send(fb, 'open', 'standard-webhooks', auth, '{"title": ');
    assert.equal(malformed.status, 400);
    const paths = (malformed.body.issues as { path: string[] }[]).map((i) => i.path.join('.'));
    assert.ok(paths.includes('title') && paths.includes('severity'), paths.join(','));
    assert.deepEqual([notJson.status, notJson.body.error], [400, 'alert.invalid']);
  });

  it('422 alert.no_runbook when no rule, match or default takes the alert', async () => {
    const answer = await send(fb, 'open', 'standard-webhooks', auth, { title: 'nobody wants me', labels: { suite: 'responses', unrouted: 'yes' } });
    assert.equal(answer.status, 422);
    assert.equal(answer.body.error, 'alert.no_runbook');
  });

  it('429 with Retry-After past the source\'s rate limit; other sources are unaffected', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await send(fb, 'limited', 'standard-webhooks', auth, alert(`limited ${i} ${Date.now()}`)));
    assert.deepEqual(answers.map((a) => a.status), [202, 202, 429]);
    assert.equal(answers[2]!.body.error, 'source.rate_limited');
    const retryAfter = Number(answers[2]!.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal((await send(fb, 'open', 'standard-webhooks', auth, alert(`open ${Date.now()}`))).status, 202);
  });

  it('a forged delivery does not spend the rate budget of the real sender', async () => {
    const forged = [];
    for (let i = 0; i < 3; i++) forged.push((await send(fb, 'guarded', 'standard-webhooks', { secrets: [whsec()] }, alert('forged'))).status);
    const real = await send(fb, 'guarded', 'standard-webhooks', auth, alert(`guarded ${Date.now()}`));
    assert.deepEqual([...forged, real.status], [401, 401, 401, 202]);
  });

  it('counts every refusal per source and outcome in /metrics', async () => {
    const duplicateId = `msg_dup${Date.now()}`;
    await send(fb, 'open', 'standard-webhooks', auth, alert(`dup ${Date.now()}`), { deliveryId: duplicateId });
    await send(fb, 'open', 'standard-webhooks', auth, alert('dup'), { deliveryId: duplicateId });
    const expected: [string, string][] = [
      ['open', 'accepted'], ['open', 'duplicate'], ['open', 'too_large'], ['open', 'unsupported_media_type'], ['open', 'unauthenticated'],
      ['open', 'invalid'], ['open', 'no_runbook'], ['limited', 'rate_limited'], ['(unknown)', 'unknown_source'],
    ];
    for (const [source, outcome] of expected) assert.ok((await deliveriesCounted(fb, source, outcome)) >= 1, `${source}/${outcome} not counted`);
    assert.equal(await deliveriesCounted(fb, 'no-such-source', 'unknown_source'), 0, 'unknown names never become labels');
  });
});
