import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { OidcSignIn } from '../../console/oidc';
import { freePort } from '../helpers/net';
import { startTestProvider, type TestProvider } from './oidc-test-provider';

/*
 * Where sign-out sends the browser, against real OpenID Connect providers on loopback (oidc-provider): one offering
 * RP-initiated logout (it advertises end_session_endpoint), one not, and one that does not answer. The console's own
 * session is cleared in every case (console.test.ts signs out through the browser).
 */
describe('console sign-out at the identity provider', function () {
  this.timeout(30_000);
  const providers: TestProvider[] = [];
  after(async () => Promise.all(providers.map((p) => p.close())));

  const signIn = (issuer: string) => new OidcSignIn({ issuer, clientId: 'firebreak-console', clientSecret: 'secret', scopes: ['openid'], personClaim: 'email', groupRoles: {} }, () => 'secret');
  const client = { id: 'firebreak-console', secret: 'secret', redirectUri: 'http://127.0.0.1:1/console/auth/callback' };

  it('ends the provider session with the ID token as hint and the sign-in page to come back to', async () => {
    const idp = await startTestProvider(await freePort(), client);
    providers.push(idp);
    const rp = signIn(idp.issuer);
    const url = new URL((await rp.endSessionUrl('https://firebreak.example/console/sign-in', 'an.id.token'))!);
    assert.equal(url.origin, idp.issuer);
    assert.equal(url.searchParams.get('id_token_hint'), 'an.id.token');
    assert.equal(url.searchParams.get('post_logout_redirect_uri'), 'https://firebreak.example/console/sign-in');
    assert.equal(url.searchParams.get('client_id'), 'firebreak-console');
    assert.deepEqual(rp.formTargets(), [idp.issuer], 'the CSP lets the sign-out form lead there');
  });

  it('signs out locally only when the provider offers no end-session endpoint, refuses connections or does not answer', async () => {
    const idp = await startTestProvider(await freePort(), client, { logout: false });
    providers.push(idp);
    assert.equal(await signIn(idp.issuer).endSessionUrl('https://firebreak.example/console/sign-in', 'an.id.token'), undefined);
    assert.equal(await signIn(`http://127.0.0.1:${await freePort()}`).endSessionUrl('https://firebreak.example/console/sign-in', undefined), undefined, 'refuses connections');
    // Accepts connections and never answers: sign-out gives up after a few seconds.
    const silent = createServer(() => undefined);
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      assert.equal(await signIn(`http://127.0.0.1:${port}`).endSessionUrl('https://firebreak.example/console/sign-in', undefined), undefined);
      assert.ok(Date.now() - started < 6_000, `waited ${Date.now() - started} ms`);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
