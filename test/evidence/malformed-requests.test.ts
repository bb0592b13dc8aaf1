import assert from 'node:assert/strict';
import { FirebreakUnderTest } from '../helpers/firebreak';

describe('evidence routes refuse malformed requests with 400', function () {
  this.timeout(60_000);
  let fb: FirebreakUnderTest;
  before(async () => {
    fb = await FirebreakUnderTest.start({ people: [{ id: 'erin', roles: ['incident-commander'] }] });
  });
  after(async () => fb?.stop());

  async function raw(method: string, route: string, body: string, contentType = 'application/json') {
    const response = await fetch(`${fb.baseUrl}${route}`, { method, headers: { authorization: `Bearer ${fb.adminToken}`, 'content-type': contentType }, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const evidenceId = `ev-${'0'.repeat(32)}`;

  it('answers 400 request.invalid_json to a hand-over whose body is `{`', async () => {
    const answer = await raw('POST', `/v1/evidence/${evidenceId}/hand-over`, '{');
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error, 'request.invalid_json');
  });

  it('answers 400 to a hand-over with a body of the wrong shape, and 404 to a well-formed one for unknown evidence', async () => {
    assert.equal((await raw('POST', `/v1/evidence/${evidenceId}/hand-over`, '[1,2]')).status, 400);
    assert.equal((await raw('POST', `/v1/evidence/${evidenceId}/hand-over`, JSON.stringify({ to: 'x', reason: 'y' }))).status, 404);
  });

  it('answers 413 to a hand-over body over the limit', async () => {
    const answer = await raw('POST', `/v1/evidence/${evidenceId}/hand-over`, JSON.stringify({ to: 'x', reason: 'y'.repeat(300 * 1024) }));
    assert.equal(answer.status, 413);
    assert.equal(answer.body.error, 'request.too_large');
  });
});
