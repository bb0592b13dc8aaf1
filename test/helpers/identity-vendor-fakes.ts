import assert from 'node:assert/strict';
import { type KeyObject, createVerify } from 'node:crypto';
import path from 'node:path';
import type { HandlerAnswer, OperationHandler, ValidatedRequest, ValidatingServer } from './openapi-validating-server';

/*
 * The user state Okta, Microsoft Graph and Google's Directory API keep, answered behind a server that validates every
 * request against the vendor's published description (openapi-validating-server.ts, fixtures in
 * test/fixtures/vendor-apis). Each token endpoint checks the grant the way the vendor would (client credentials with a
 * private-key JWT for an Okta service app, a client secret for Entra, a JWT bearer assertion with domain-wide
 * delegation for Google). Shared by the adapter tests and the end-to-end runs of the shipped runbooks, which start the
 * server with `validateResponses`, so these answers are also checked against the description (Okta's and Graph's
 * response schemas; Google's discovery document describes none here).
 */

/** Each vendor's published description, trimmed (its source and version in its header). */
export const IDENTITY_FIXTURES = {
  okta: path.join(__dirname, '..', 'fixtures', 'vendor-apis', 'okta-management.yaml'),
  entra: path.join(__dirname, '..', 'fixtures', 'vendor-apis', 'microsoft-graph-users.yaml'),
  google: path.join(__dirname, '..', 'fixtures', 'vendor-apis', 'google-admin-directory-v1.yaml'),
} as const;

export interface FakeIdentityVendor {
  add(user: string, disabled: boolean): void;
  disabled(user: string): boolean;
  sessionsRevoked(user: string): number;
  /** The operation that reads a user, for tests that make it fail. */
  getOperation: string;
  /** The next `times` user reads are answered 429 with `Retry-After: seconds`, as the vendor's rate limiter would. */
  throttleReads(times: number, seconds: number): void;
}

/** Wraps a user-read handler so a test can make the vendor rate-limit it for a while. */
function throttleable(handler: OperationHandler): { handler: OperationHandler; throttleReads(times: number, seconds: number): void } {
  let left = 0;
  let retryAfter = 0;
  return {
    handler: (r) => (left-- > 0 ? { status: 429, headers: { 'retry-after': String(retryAfter) }, body: {} } : handler(r)),
    throttleReads(times, seconds) {
      left = times;
      retryAfter = seconds;
    },
  };
}

/** What the fakes' token endpoints accept. */
export const FAKE_IDENTITY = {
  okta: { clientId: '0oa-firebreak', scope: 'okta.users.read okta.users.manage' },
  entra: { tenant: 'tenant-1', clientId: 'app-1', scope: 'https://graph.microsoft.com/.default' },
  google: {
    clientEmail: 'firebreak@project.iam.gserviceaccount.com',
    adminEmail: 'admin@example.com',
    scope: 'https://www.googleapis.com/auth/admin.directory.user https://www.googleapis.com/auth/admin.directory.user.security',
  },
} as const;

/** Checks an RS256 JWT the way a token endpoint would; returns its claims. */
function verifiedClaims(jwt: string, publicKey: KeyObject): Record<string, unknown> {
  const [header, claims, signature] = jwt.split('.');
  const ok = createVerify('RSA-SHA256').update(`${header}.${claims}`).verify(publicKey, Buffer.from(signature!, 'base64url'));
  assert.ok(ok, 'the assertion is signed with the configured key');
  return JSON.parse(Buffer.from(claims!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function fakeOkta(server: ValidatingServer, tokens: { issued: number }, publicKey: KeyObject): FakeIdentityVendor {
  const users = new Map<string, { id: string; status: string; sessions: number }>();
  const find = (r: ValidatedRequest): HandlerAnswer | { id: string; status: string; sessions: number } =>
    users.get(r.params.id ?? r.params.userId ?? '') ?? { status: 404, body: { errorCode: 'E0000007', errorSummary: 'Not found' } };
  const isAnswer = (x: unknown): x is HandlerAnswer => typeof (x as HandlerAnswer).status === 'number';
  const reads = throttleable((r) => {
    const u = find(r);
    return isAnswer(u) ? u : { status: 200, body: { id: u.id, status: u.status, profile: { login: u.id } } };
  });
  server.handle('getUser', reads.handler);
  server.handle('suspendUser', (r) => {
    const u = find(r);
    if (isAnswer(u)) return u;
    if (u.status !== 'ACTIVE') return { status: 400, body: { errorCode: 'E0000001' } };
    u.status = 'SUSPENDED';
    return { status: 200, body: {} };
  });
  server.handle('unsuspendUser', (r) => {
    const u = find(r);
    if (isAnswer(u)) return u;
    if (u.status !== 'SUSPENDED') return { status: 400, body: { errorCode: 'E0000001' } };
    u.status = 'ACTIVE';
    return { status: 200, body: {} };
  });
  server.handle('revokeUserSessions', (r) => {
    const u = find(r);
    if (isAnswer(u)) return u;
    assert.equal(r.query.oauthTokens, 'true');
    u.sessions++;
    return { status: 204 };
  });
  // An Okta service app: client credentials with a private-key JWT assertion, scoped to okta.users.manage.
  server.route('POST', '/oauth2/v1/token', (form) => {
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('scope'), FAKE_IDENTITY.okta.scope);
    assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const claims = verifiedClaims(form.get('client_assertion')!, publicKey);
    assert.equal(claims.iss, FAKE_IDENTITY.okta.clientId);
    assert.equal(claims.aud, `${server.url}/oauth2/v1/token`);
    tokens.issued++;
    return { status: 200, body: { access_token: `okta-at-${tokens.issued}`, token_type: 'Bearer', expires_in: 3600 } };
  });
  return {
    add: (user, disabled) => users.set(user, { id: user, status: disabled ? 'SUSPENDED' : 'ACTIVE', sessions: 0 }),
    disabled: (user) => users.get(user)!.status === 'SUSPENDED',
    sessionsRevoked: (user) => users.get(user)!.sessions,
    getOperation: 'getUser',
    throttleReads: reads.throttleReads,
  };
}

export function fakeEntra(server: ValidatingServer, tokens: { issued: number }, clientSecret: string): FakeIdentityVendor {
  const users = new Map<string, { id: string; accountEnabled: boolean; revoked: number }>();
  const missing = { status: 404, body: { error: { code: 'Request_ResourceNotFound', message: 'Resource does not exist' } } };
  const reads = throttleable((r) => {
    const u = users.get(r.params['user-id']!);
    if (!u) return missing;
    assert.deepEqual(r.query.$select, 'id,accountEnabled');
    return { status: 200, body: { id: u.id, accountEnabled: u.accountEnabled } };
  });
  server.handle('user_GetUser', reads.handler);
  server.handle('user_UpdateUser', (r) => {
    const u = users.get(r.params['user-id']!);
    if (!u) return missing;
    u.accountEnabled = (r.body as { accountEnabled: boolean }).accountEnabled;
    return { status: 204 };
  });
  server.handle('user_revokeSignInSession', (r) => {
    const u = users.get(r.params['user-id']!);
    if (!u) return missing;
    u.revoked++;
    return { status: 200, body: { value: true } };
  });
  server.route('POST', `/${FAKE_IDENTITY.entra.tenant}/oauth2/v2.0/token`, (form) => {
    assert.equal(form.get('grant_type'), 'client_credentials');
    assert.equal(form.get('client_id'), FAKE_IDENTITY.entra.clientId);
    assert.equal(form.get('client_secret'), clientSecret);
    assert.equal(form.get('scope'), FAKE_IDENTITY.entra.scope);
    tokens.issued++;
    return { status: 200, body: { access_token: `graph-at-${tokens.issued}`, token_type: 'Bearer', expires_in: 3599 } };
  });
  return {
    add: (user, disabled) => users.set(user, { id: user, accountEnabled: !disabled, revoked: 0 }),
    disabled: (user) => !users.get(user)!.accountEnabled,
    sessionsRevoked: (user) => users.get(user)!.revoked,
    getOperation: 'user_GetUser',
    throttleReads: reads.throttleReads,
  };
}

export function fakeGoogle(server: ValidatingServer, tokens: { issued: number }, publicKey: KeyObject): FakeIdentityVendor {
  const users = new Map<string, { id: string; suspended: boolean; signedOut: number }>();
  const missing = { status: 404, body: { error: { code: 404, message: 'Resource Not Found: userKey' } } };
  const reads = throttleable((r) => {
    const u = users.get(r.params.userKey!);
    return u ? { status: 200, body: { kind: 'admin#directory#user', id: u.id, primaryEmail: r.params.userKey, suspended: u.suspended } } : missing;
  });
  server.handle('directory.users.get', reads.handler);
  server.handle('directory.users.update', (r) => {
    const u = users.get(r.params.userKey!) ?? [...users.values()].find((x) => x.id === r.params.userKey);
    if (!u) return missing;
    u.suspended = (r.body as { suspended: boolean }).suspended;
    return { status: 200, body: { id: u.id, suspended: u.suspended } };
  });
  server.handle('directory.users.signOut', (r) => {
    const u = users.get(r.params.userKey!);
    if (!u) return missing;
    u.signedOut++;
    return { status: 204 };
  });
  // A service account with domain-wide delegation: JWT bearer grant acting as the admin, the two scopes only.
  server.route('POST', '/token', (form) => {
    assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    const claims = verifiedClaims(form.get('assertion')!, publicKey);
    assert.equal(claims.iss, FAKE_IDENTITY.google.clientEmail);
    assert.equal(claims.sub, FAKE_IDENTITY.google.adminEmail);
    assert.equal(claims.scope, FAKE_IDENTITY.google.scope);
    tokens.issued++;
    return { status: 200, body: { access_token: `ya29.test-${tokens.issued}`, token_type: 'Bearer', expires_in: 3600 } };
  });
  return {
    add: (user, disabled) => users.set(user, { id: user, suspended: disabled, signedOut: 0 }),
    disabled: (user) => users.get(user)!.suspended,
    sessionsRevoked: (user) => users.get(user)!.signedOut,
    getOperation: 'directory.users.get',
    throttleReads: reads.throttleReads,
  };
}
