import assert from 'node:assert/strict';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseLabels } from '../../console/declare-routes';
import { redirectWithFlash, takeFlash } from '../../console/flash';
import { CookieSealer } from '../../console/session';

/** A reply that keeps its headers and where it redirected, as far as the flash helpers use one. */
function fakeReply() {
  const headers: Record<string, unknown> = {};
  const reply = {
    redirected: undefined as { to: string; code: number } | undefined,
    getHeader: (name: string) => headers[name],
    header(name: string, value: unknown) {
      headers[name] = value;
      return reply;
    },
    redirect(to: string, code: number) {
      reply.redirected = { to, code };
      return reply;
    },
  };
  return { reply, cookies: () => (headers['set-cookie'] as string[] | undefined) ?? [] };
}

const requestWith = (cookies: string[]) => ({ headers: { cookie: cookies.map((c) => c.split(';')[0]).join('; ') } }) as unknown as FastifyRequest;

describe('console forms', () => {
  it('reads the declare form\'s labels as name=value lines, naming the line of a bad one', () => {
    assert.deepEqual(parseLabels('service=payments\r\n\n region = eu-west-1 \nquery=a=b'), { labels: { service: 'payments', region: 'eu-west-1', query: 'a=b' } });
    assert.deepEqual(parseLabels(''), { labels: {} });
    assert.deepEqual(parseLabels('service=payments\nservice payments'), { problem: 'labels line 2: expected name=value' });
    assert.deepEqual(parseLabels('=x'), { problem: 'labels line 1: expected name=value' });
    assert.deepEqual(parseLabels('user=a\nuser=b'), { problem: 'labels line 2: user is given twice' });
  });

  it('answers a form with a 303 and shows its outcome once, only on its page and in its session', () => {
    const sealer = new CookieSealer('forms-test-secret');
    const posted = fakeReply();
    redirectWithFlash(posted.reply as unknown as FastifyReply, sealer, { kind: 'refused', code: 'approval.separation_of_duties', text: 'the requester may not approve', path: '/console/incidents/incident/declared/A', sid: 'session-one' });
    assert.deepEqual(posted.reply.redirected, { to: '/console/incidents/incident/declared/A', code: 303 });
    const [cookie] = posted.cookies();
    assert.match(cookie!, /^fb_flash=.+; Path=\/console; Max-Age=60; HttpOnly; Secure; SameSite=Lax$/);

    const take = (path: string, sid: string) => {
      const got = fakeReply();
      return { flash: takeFlash(requestWith([cookie!]), got.reply as unknown as FastifyReply, sealer, path, sid), cleared: got.cookies().some((c) => /^fb_flash=; .*Max-Age=0/.test(c)) };
    };
    assert.deepEqual(take('/console/incidents/incident/declared/B', 'session-one'), { flash: undefined, cleared: false }, 'another page leaves it');
    assert.deepEqual(take('/console/incidents/incident/declared/A', 'session-two'), { flash: undefined, cleared: false }, 'another session never sees it');
    const shown = take('/console/incidents/incident/declared/A', 'session-one');
    assert.equal(shown.flash?.code, 'approval.separation_of_duties');
    assert.equal(shown.cleared, true, 'read once: the answer clears it');
    assert.equal(takeFlash(requestWith([cookie!]), fakeReply().reply as unknown as FastifyReply, new CookieSealer('another-secret'), '/console/incidents/incident/declared/A', 'session-one'), undefined, 'sealed: no other key opens it');
  });

  it('leaves out what was typed when the flash would not fit in a cookie', () => {
    const sealer = new CookieSealer('forms-test-secret');
    const posted = fakeReply();
    redirectWithFlash(posted.reply as unknown as FastifyReply, sealer, { kind: 'refused', code: 'request.invalid', text: 'title: required', path: '/console/declare', sid: 's', form: { description: 'x'.repeat(20_000), title: '' } });
    const [cookie] = posted.cookies();
    assert.ok(cookie!.length < 4_096, `${cookie!.length} bytes`);
    const flash = takeFlash(requestWith([cookie!]), fakeReply().reply as unknown as FastifyReply, sealer, '/console/declare', 's');
    assert.equal(flash?.code, 'request.invalid');
    assert.equal(flash?.form, undefined);
  });
});
