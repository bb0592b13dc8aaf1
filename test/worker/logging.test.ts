import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../worker/logging';
import { Secret } from '../../worker/secret';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { log: createLogger('info', sink), text: () => lines.join('') };
}

describe('logging', () => {
  it('redacts secret-looking keys, Secret values and bearer strings in messages', async () => {
    const { log, text } = capture();
    log.info({ headers: { authorization: 'Bearer abc.def', 'webhook-signature': 'v1,xyz=' }, smtp: { password: 'hunter2' }, token: new Secret('fbk_live'), incidentId: 'incident/generic/1' }, 'calling with Bearer sekrit-123 and whsec_AAAAAAAA');
    await new Promise((r) => setImmediate(r));
    const out = text();
    for (const leaked of ['abc.def', 'xyz=', 'hunter2', 'fbk_live', 'sekrit-123', 'whsec_AAAA']) assert.equal(out.includes(leaked), false, leaked);
    assert.ok(out.includes('incident/generic/1'), 'ids stay readable');
  });
});
