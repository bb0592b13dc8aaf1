import assert from 'node:assert/strict';
import { personFromClaims } from '../../console/people';
import { CookieSealer, OidcFlow, Session } from '../../console/session';
import { safeReturn } from '../../console/auth-routes';

describe('console sessions', () => {
  const session = (exp: number): Session => ({ sid: 'abcdefghijklmnopqrstuv', personId: 'alice', roles: ['legal'], via: 'oidc', exp });

  it('opens a sealed session only with the same secret, unaltered and unexpired', () => {
    let now = Date.now();
    const sealer = new CookieSealer('secret-a', () => now);
    const sealed = sealer.seal('session', session(now + 60_000));
    assert.equal(sealer.unseal('session', Session, sealed)?.personId, 'alice');
    assert.equal(new CookieSealer('secret-b').unseal('session', Session, sealed), undefined, 'another key');
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    assert.equal(sealer.unseal('session', Session, bytes.toString('base64url')), undefined, 'one bit changed');
    now += 61_000;
    assert.equal(sealer.unseal('session', Session, sealed), undefined, 'expired');
  });

  it('never takes a sign-in flow cookie for a session', () => {
    const sealer = new CookieSealer('secret');
    const flow = sealer.seal('oidc-flow', { verifier: 'v', state: 's', nonce: 'n', returnTo: '/console/incidents', exp: Date.now() + 60_000 });
    assert.equal(sealer.unseal('session', Session, flow), undefined);
    assert.equal(sealer.unseal('oidc-flow', OidcFlow, flow)?.state, 's');
  });

  it('accepts only the CSRF token of the same session', () => {
    const sealer = new CookieSealer('secret');
    const token = sealer.csrfToken({ sid: 'session-one-xxxxxxxx' });
    assert.equal(sealer.csrfValid({ sid: 'session-one-xxxxxxxx' }, token), true);
    assert.equal(sealer.csrfValid({ sid: 'session-two-xxxxxxxx' }, token), false);
    assert.equal(sealer.csrfValid({ sid: 'session-one-xxxxxxxx' }, undefined), false);
    assert.equal(sealer.csrfValid({ sid: 'session-one-xxxxxxxx' }, `${token}x`), false);
  });

  it('returns after sign-in only to a console path, never to another site', () => {
    assert.equal(safeReturn('/console/incidents/incident/declared/01ABC'), '/console/incidents/incident/declared/01ABC');
    for (const bad of ['https://evil.example/', '//evil.example/console/', '/v1/incidents', '/console/\\evil', 42]) assert.equal(safeReturn(bad), '/console/incidents', String(bad));
  });
});

describe('people from identity provider claims', () => {
  const people = [{ id: 'alice', email: 'Alice@Example.com', roles: ['legal'] }];
  const oidc = { personClaim: 'email', groupsClaim: 'groups', groupRoles: { 'ir-oncall': ['security-oncall'], auditors: ['auditor'] } };

  it('maps the email claim to the configured person and adds the roles their groups grant', () => {
    assert.deepEqual(personFromClaims({ email: 'alice@example.com', groups: ['ir-oncall', 'staff'], name: 'Alice A.' }, people, oidc), { id: 'alice', name: 'Alice A.', roles: ['legal', 'security-oncall'] });
  });

  it('admits someone the config does not name only when a group grants a role', () => {
    assert.deepEqual(personFromClaims({ email: 'bob@example.com', groups: 'auditors' }, people, oidc), { id: 'bob@example.com', name: undefined, roles: ['auditor'] });
    assert.equal((personFromClaims({ email: 'eve@example.com', groups: ['staff'] }, people, oidc) as { refused: string }).refused, 'auth.unknown_person');
    assert.equal((personFromClaims({ sub: 'x' }, people, oidc) as { refused: string }).refused, 'auth.claim_missing');
  });
});
