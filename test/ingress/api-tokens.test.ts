import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import { requireBearer, scopeFor } from '../../ingress/api/bearer-auth';
import { TokenDirectory } from '../../ingress/api/token-directory';
import { Secret } from '../../shared/secret';
import { Person } from '../../worker/config';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('API tokens: scopes, expiry, hashed storage', () => {
  const now = new Date();
  const tokens = new TokenDirectory([
    { token: new Secret('tok-full'), personId: 'ann', roles: ['legal'] },
    { token: new Secret('tok-read'), personId: 'ann', roles: ['legal'], scopes: ['read'] },
    { sha256: sha256('tok-hashed'), personId: 'bob', roles: ['auditor'], scopes: ['read', 'admin'] },
    { token: new Secret('tok-old'), personId: 'cy', roles: [], expiresAt: new Date(now.getTime() - 1000) },
    { token: new Secret('tok-soon'), personId: 'cy', roles: [], expiresAt: new Date(now.getTime() + 3_600_000) },
  ]);

  async function app() {
    const server = Fastify();
    await server.register(async (api) => {
      requireBearer(api, tokens);
      api.get('/v1/incidents', async () => ({ ok: true }));
      api.post('/v1/incidents', async () => ({ ok: true }));
      api.post('/v1/incidents/incident/x/y/abort', async () => ({ ok: true }));
      api.get('/v1/audit/witness', async () => ({ ok: true }));
    });
    return server;
  }
  const call = async (method: 'GET' | 'POST', url: string, token: string) => {
    const server = await app();
    const answer = await server.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
    await server.close();
    return { status: answer.statusCode, error: answer.statusCode >= 400 ? (answer.json() as { error: string }).error : undefined };
  };

  it('maps each route to one scope: reads read, declaring declare, other writes decide, the audit witness admin', () => {
    assert.equal(scopeFor({ method: 'GET', url: '/v1/incidents/incident/a/b' }), 'read');
    assert.equal(scopeFor({ method: 'POST', url: '/v1/incidents' }), 'declare');
    assert.equal(scopeFor({ method: 'POST', url: '/v1/incidents/incident/a/b/steps/s/approve' }), 'decide');
    assert.equal(scopeFor({ method: 'POST', url: '/v1/evidence/ev-1/hand-over' }), 'decide');
    assert.equal(scopeFor({ method: 'GET', url: '/v1/audit/witness' }), 'admin');
    assert.equal(scopeFor({ method: 'POST', url: '/codec/decode' }), 'read');
  });

  it('a token without scopes may do everything; a read-only token reads and is refused 403 auth.scope_required elsewhere', async () => {
    assert.equal((await call('POST', '/v1/incidents/incident/x/y/abort', 'tok-full')).status, 200);
    assert.equal((await call('GET', '/v1/incidents', 'tok-read')).status, 200);
    assert.deepEqual(await call('POST', '/v1/incidents', 'tok-read'), { status: 403, error: 'auth.scope_required' });
    assert.deepEqual(await call('POST', '/v1/incidents/incident/x/y/abort', 'tok-read'), { status: 403, error: 'auth.scope_required' });
    assert.deepEqual(await call('GET', '/v1/audit/witness', 'tok-read'), { status: 403, error: 'auth.scope_required' });
  });

  it('accepts a token the config holds only as its SHA-256', async () => {
    assert.equal((await call('GET', '/v1/audit/witness', 'tok-hashed')).status, 200);
    assert.equal(tokens.authenticate('Bearer tok-hashed')?.id, 'bob');
    assert.equal(tokens.authenticate(`Bearer ${sha256('tok-hashed')}`), undefined, 'the digest itself is not a token');
  });

  it('refuses an expired token with 401 auth.expired, and takes one not yet expired', async () => {
    assert.deepEqual(await call('GET', '/v1/incidents', 'tok-old'), { status: 401, error: 'auth.expired' });
    assert.equal((await call('GET', '/v1/incidents', 'tok-soon')).status, 200);
    assert.deepEqual(await call('GET', '/v1/incidents', 'tok-unknown'), { status: 401, error: 'auth.missing' });
  });

  it('config takes tokens as references or as entries with sha256, scopes and expiry, and refuses an entry with both or neither', () => {
    const parsed = Person.parse({ id: 'ann', tokens: ['env:A', { sha256: sha256('x'), scopes: ['read'], expires: new Date(Date.now() + 86_400_000).toISOString() }] });
    assert.equal(parsed.tokens.length, 2);
    assert.equal(Person.safeParse({ id: 'ann', tokens: [{ secret: 'env:A', sha256: sha256('x') }] }).success, false);
    assert.equal(Person.safeParse({ id: 'ann', tokens: [{ scopes: ['read'] }] }).success, false);
    assert.equal(Person.safeParse({ id: 'ann', tokens: [{ secret: 'env:A', scopes: ['root'] }] }).success, false);
  });
});
