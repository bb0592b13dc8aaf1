import assert from 'node:assert/strict';
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { entraProvider } from '../../../activities/containment/identity/entra';
import { googleProvider } from '../../../activities/containment/identity/google';
import { oktaProvider } from '../../../activities/containment/identity/okta';
import type { IdentityProvider, UserState } from '../../../activities/containment/identity/provider';
import { clientCredentials, jwtBearer, privateKeyJwt, staticToken } from '../../../activities/containment/vendor-kit/oauth-token';
import { createVendorContainmentActivities } from '../../../activities/containment/vendors';
import { EvidenceStore } from '../../../evidence';
import { Secret } from '../../../shared/secret';
import type { ActionFn } from '../../../workflows/runbook-interpreter/steps/action';
import { type HandlerAnswer, type ValidatedRequest, type ValidatingServer, loadApiDescription, startValidatingServer } from '../../helpers/openapi-validating-server';

/*
 * Okta, Microsoft Entra ID (Graph) and Google Workspace cannot run here. Each adapter talks to a local server that
 * checks every request against the vendor's published API description (test/fixtures/vendor-apis) and refuses, and
 * fails the test for, anything that description would refuse; the handlers keep the users' state like the vendor.
 */

const fixture = (name: string) => path.join(__dirname, '..', '..', 'fixtures', 'vendor-apis', name);
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Checks an RS256 JWT the way a token endpoint would; returns its claims. */
function verifiedClaims(jwt: string): Record<string, unknown> {
  const [header, claims, signature] = jwt.split('.');
  const ok = createVerify('RSA-SHA256').update(`${header}.${claims}`).verify(publicKey, Buffer.from(signature!, 'base64url'));
  assert.ok(ok, 'the assertion is signed with the configured key');
  return JSON.parse(Buffer.from(claims!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

interface Scenario {
  vendor: string;
  fixture: string;
  /** Seeds a user and answers the vendor's operations; `disabled(user)` reads it back from the vendor's state. */
  setup(server: ValidatingServer, tokens: { issued: number }): {
    provider: IdentityProvider<UserState>;
    add(user: string, disabled: boolean): void;
    disabled(user: string): boolean;
    sessionsRevoked(user: string): number;
    getOperation: string;
  };
}

const TOKEN_SECRET = `client-secret-${Date.now()}`;

const scenarios: Scenario[] = [
  {
    vendor: 'okta',
    fixture: 'okta-management.yaml',
    setup(server, tokens) {
      const users = new Map<string, { id: string; status: string; sessions: number }>();
      const find = (r: ValidatedRequest): HandlerAnswer | { id: string; status: string; sessions: number } =>
        users.get(r.params.id ?? r.params.userId ?? '') ?? { status: 404, body: { errorCode: 'E0000007', errorSummary: 'Not found' } };
      const isAnswer = (x: unknown): x is HandlerAnswer => typeof (x as HandlerAnswer).status === 'number';
      server.handle('getUser', (r) => {
        const u = find(r);
        return isAnswer(u) ? u : { status: 200, body: { id: u.id, status: u.status, profile: { login: u.id } } };
      });
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
        assert.equal(form.get('scope'), 'okta.users.read okta.users.manage');
        assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
        const claims = verifiedClaims(form.get('client_assertion')!);
        assert.equal(claims.iss, '0oa-firebreak');
        assert.equal(claims.aud, `${server.url}/oauth2/v1/token`);
        tokens.issued++;
        return { status: 200, body: { access_token: `okta-at-${tokens.issued}`, token_type: 'Bearer', expires_in: 3600 } };
      });
      const token = privateKeyJwt({ vendor: 'okta', tokenUrl: `${server.url}/oauth2/v1/token`, clientId: '0oa-firebreak', privateKey: () => new Secret(privatePem), scope: 'okta.users.read okta.users.manage' });
      return {
        provider: oktaProvider({ orgUrl: server.url, token, secrets: () => [privatePem] }) as IdentityProvider<UserState>,
        add: (user, disabled) => users.set(user, { id: user, status: disabled ? 'SUSPENDED' : 'ACTIVE', sessions: 0 }),
        disabled: (user) => users.get(user)!.status === 'SUSPENDED',
        sessionsRevoked: (user) => users.get(user)!.sessions,
        getOperation: 'getUser',
      };
    },
  },
  {
    vendor: 'entra',
    fixture: 'microsoft-graph-users.yaml',
    setup(server, tokens) {
      const users = new Map<string, { id: string; accountEnabled: boolean; revoked: number }>();
      const missing = { status: 404, body: { error: { code: 'Request_ResourceNotFound', message: 'Resource does not exist' } } };
      server.handle('user_GetUser', (r) => {
        const u = users.get(r.params['user-id']!);
        if (!u) return missing;
        assert.deepEqual(r.query.$select, 'id,accountEnabled');
        return { status: 200, body: { id: u.id, accountEnabled: u.accountEnabled } };
      });
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
      server.route('POST', '/tenant-1/oauth2/v2.0/token', (form) => {
        assert.equal(form.get('grant_type'), 'client_credentials');
        assert.equal(form.get('client_secret'), TOKEN_SECRET);
        assert.equal(form.get('scope'), 'https://graph.microsoft.com/.default');
        tokens.issued++;
        return { status: 200, body: { access_token: `graph-at-${tokens.issued}`, token_type: 'Bearer', expires_in: 3599 } };
      });
      const token = clientCredentials({ vendor: 'entra', tokenUrl: `${server.url}/tenant-1/oauth2/v2.0/token`, clientId: 'app-1', clientSecret: () => new Secret(TOKEN_SECRET), scope: 'https://graph.microsoft.com/.default' });
      return {
        provider: entraProvider({ graphUrl: `${server.url}/v1.0`, token, secrets: () => [TOKEN_SECRET] }) as IdentityProvider<UserState>,
        add: (user, disabled) => users.set(user, { id: user, accountEnabled: !disabled, revoked: 0 }),
        disabled: (user) => !users.get(user)!.accountEnabled,
        sessionsRevoked: (user) => users.get(user)!.revoked,
        getOperation: 'user_GetUser',
      };
    },
  },
  {
    vendor: 'google',
    fixture: 'google-admin-directory-v1.yaml',
    setup(server, tokens) {
      const users = new Map<string, { id: string; suspended: boolean; signedOut: number }>();
      const missing = { status: 404, body: { error: { code: 404, message: 'Resource Not Found: userKey' } } };
      server.handle('directory.users.get', (r) => {
        const u = users.get(r.params.userKey!);
        return u ? { status: 200, body: { kind: 'admin#directory#user', id: u.id, primaryEmail: r.params.userKey, suspended: u.suspended } } : missing;
      });
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
        const claims = verifiedClaims(form.get('assertion')!);
        assert.equal(claims.iss, 'firebreak@project.iam.gserviceaccount.com');
        assert.equal(claims.sub, 'admin@example.com');
        assert.equal(claims.scope, 'https://www.googleapis.com/auth/admin.directory.user https://www.googleapis.com/auth/admin.directory.user.security');
        tokens.issued++;
        return { status: 200, body: { access_token: `ya29.test-${tokens.issued}`, token_type: 'Bearer', expires_in: 3600 } };
      });
      const token = jwtBearer({
        vendor: 'google',
        tokenUrl: `${server.url}/token`,
        issuer: 'firebreak@project.iam.gserviceaccount.com',
        subject: 'admin@example.com',
        privateKey: () => new Secret(privatePem),
        scopes: ['https://www.googleapis.com/auth/admin.directory.user', 'https://www.googleapis.com/auth/admin.directory.user.security'],
      });
      return {
        provider: googleProvider({ apiUrl: server.url, token, secrets: () => [privatePem] }) as IdentityProvider<UserState>,
        add: (user, disabled) => users.set(user, { id: user, suspended: disabled, signedOut: 0 }),
        disabled: (user) => users.get(user)!.suspended,
        sessionsRevoked: (user) => users.get(user)!.signedOut,
        getOperation: 'directory.users.get',
      };
    },
  },
];

for (const scenario of scenarios) {
  describe(`identity containment on ${scenario.vendor} (requests validated against its published API description)`, () => {
    let server: ValidatingServer;
    let vendor: ReturnType<Scenario['setup']>;
    let tokens: { issued: number };
    let dir: string;
    let activities: Record<string, ActionFn>;
    const incident = `inc-${scenario.vendor}-${Date.now().toString(36)}`;

    beforeEach(async () => {
      server = await startValidatingServer(loadApiDescription(fixture(scenario.fixture)));
      tokens = { issued: 0 };
      vendor = scenario.setup(server, tokens);
      dir = mkdtempSync(path.join(tmpdir(), 'fb-idp-'));
      const store = await EvidenceStore.open(dir);
      activities = createVendorContainmentActivities({ evidence: { store: async () => store }, identity: vendor.provider });
    });
    afterEach(async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
      server.assertNoRefusals();
    });
    const run = (action: string, stepId: string, user: string, undo = false): Promise<Record<string, unknown>> =>
      new MockActivityEnvironment().run(activities[action]! as (r: unknown) => Promise<Record<string, unknown>>, { key: `${incident}/${stepId}${undo ? '/undo' : ''}`, incidentId: incident, stepId, input: { user } });

    it('suspends the user and ends its sessions; the undo re-enables it', async () => {
      vendor.add('alice@example.com', false);
      await run('identity.disable-user', 'disable-account', 'alice@example.com');
      assert.equal(vendor.disabled('alice@example.com'), true);
      assert.equal(vendor.sessionsRevoked('alice@example.com'), 1);
      const undone = await run('identity.enable-user', 'disable-account', 'alice@example.com', true);
      assert.equal(vendor.disabled('alice@example.com'), false);
      assert.equal(undone.restoredToRecorded, true);
      assert.equal(tokens.issued, 1, 'one token for every call until it expires');
    });

    it('is safe to retry, and keeps a user suspended before the incident suspended after the undo', async () => {
      vendor.add('bob@example.com', true);
      await run('identity.disable-user', 'disable-bob', 'bob@example.com');
      await run('identity.disable-user', 'disable-bob', 'bob@example.com');
      await run('identity.enable-user', 'disable-bob', 'bob@example.com', true);
      assert.equal(vendor.disabled('bob@example.com'), true);
    });

    it('fails a user the vendor does not know at once, naming the user', async () => {
      await assert.rejects(run('identity.disable-user', 'ghost', 'ghost@example.com'), (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.type, 'containment.target_not_found');
        assert.equal(error.nonRetryable, true);
        assert.match(error.message, /user ghost@example\.com not found at /);
        return true;
      });
    });

    it('retries a rate-limited call after the delay the vendor gave', async () => {
      vendor.add('carol@example.com', false);
      server.handle(vendor.getOperation, () => ({ status: 429, headers: { 'retry-after': '12' }, body: {} }));
      await assert.rejects(run('identity.disable-user', 'limited', 'carol@example.com'), (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.type, 'containment.rate_limited');
        assert.equal(error.nonRetryable, false);
        assert.equal(error.nextRetryDelay, 12_000);
        return true;
      });
    });

    it('plans the exact requests without sending any', () => {
      const plan = vendor.provider.plan.disable('dave@example.com').concat(vendor.provider.plan.revokeSessions('dave@example.com'));
      assert.ok(plan.every((call) => call.operation.startsWith('GET ') || call.operation.startsWith('POST ') || call.operation.startsWith('PUT ') || call.operation.startsWith('PATCH ') || call.operation.startsWith('DELETE ')));
      assert.ok(plan.some((call) => call.operation.includes('dave%40example.com')));
      assert.equal(JSON.stringify(plan).includes(TOKEN_SECRET), false);
      assert.equal(server.requests.length, 0);
    });
  });
}

describe('identity containment with an Okta API token', () => {
  it('sends the SSWS token the Okta description declares', async () => {
    const server = await startValidatingServer(loadApiDescription(fixture('okta-management.yaml')));
    try {
      server.handle('getUser', (r) => {
        assert.equal(r.headers.authorization, 'SSWS 00abc-token');
        return { status: 200, body: { id: '00u1', status: 'ACTIVE' } };
      });
      const provider = oktaProvider({ orgUrl: server.url, token: staticToken('SSWS', () => new Secret('00abc-token')), secrets: () => ['00abc-token'] });
      assert.deepEqual(await provider.read('00u1'), { id: '00u1', status: 'ACTIVE', disabled: false });
      server.assertNoRefusals();
    } finally {
      await server.stop();
    }
  });
});
