import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import Fastify, { type FastifyInstance } from 'fastify';
import Provider from 'oidc-provider';
import { stringify as toYaml } from 'yaml';
import { AesGcmPayloadCodec } from '../../codec/aes-gcm-codec';
import { registerCodecRoutes } from '../../ingress/api/codec-routes';
import { CLOCK_TOLERANCE_S } from '../../ingress/api/idp-access-tokens';
import { TokenDirectory } from '../../ingress/api/token-directory';
import { codecRouteDeps } from '../../worker/codec-wiring';
import { loadConfig } from '../../worker/config';
import { resolveSecrets } from '../../worker/secrets';
import { freePort } from '../helpers/net';
import { tapTestLog, tempDir, testLog } from '../helpers/temporal';

/** What the Temporal UI's client is registered as, and the audience its access tokens are issued for. */
const UI_CLIENT = { id: 'temporal-ui', secret: 'temporal-ui-client-secret', redirectUri: 'http://127.0.0.1:1/auth/sso/callback' };
const AUDIENCE = 'https://firebreak.test/codec';
const UI_ORIGIN = 'https://temporal.example.test';
const API_TOKEN = 'firebreak-api-token-of-jordan';
/** Groups the provider puts into access tokens, as an IdP's group claim would. */
const GROUPS: Record<string, string[]> = { casey: ['ir-leads'], robin: ['staff'] };

interface Idp {
  issuer: string;
  /** Signs `login` in through the provider's own login and consent forms; the access token the UI would receive. */
  accessToken(login: string, resource?: string): Promise<string>;
  /** Lifetime of access tokens issued from now on, in seconds. */
  ttl: { seconds: number };
  close(): Promise<void>;
}

/** node-oidc-provider (as the console test uses), issuing JWT access tokens for resource indicators with a groups claim. */
async function startIdp(port: number): Promise<Idp> {
  const issuer = `http://127.0.0.1:${port}`;
  const ttl = { seconds: 300 };
  const provider = new Provider(issuer, {
    clients: [{ client_id: UI_CLIENT.id, client_secret: UI_CLIENT.secret, redirect_uris: [UI_CLIENT.redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, email: `${id}@example.com`, email_verified: true }) }),
    extraTokenClaims: async (_ctx, token) => ('accountId' in token && token.accountId ? { email: `${token.accountId}@example.com`, groups: GROUPS[token.accountId] ?? [] } : undefined),
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => ({ scope: 'openid email', audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: ttl.seconds }),
      },
    },
    cookies: { keys: ['codec-idp-test-cookie-key'] },
  });
  const server: Server = await new Promise((resolve) => {
    const s = provider.listen(port, '127.0.0.1', () => resolve(s));
  });

  async function accessToken(login: string, resource = AUDIENCE): Promise<string> {
    const jar = new Map<string, string>();
    const go = async (url: string, init: RequestInit = {}): Promise<Response> => {
      const response = await fetch(new URL(url, issuer), { ...init, redirect: 'manual', headers: { ...init.headers, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const eq = pair!.indexOf('=');
        jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
      return response;
    };
    const form = (fields: Record<string, string>): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      client_id: UI_CLIENT.id,
      response_type: 'code',
      redirect_uri: UI_CLIENT.redirectUri,
      scope: 'openid email',
      resource,
      state: randomBytes(8).toString('hex'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    let location = (await go(`/auth?${query}`)).headers.get('location')!;
    // The development login form, then the consent form; each answers with a redirect back into the flow.
    const steps: Record<string, string>[] = [{ prompt: 'login', login, password: 'any' }, { prompt: 'consent' }];
    for (const fields of steps) {
      const page = await (await go(location)).text();
      const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
      assert.ok(action, `no form on ${location}: ${page.slice(0, 300)}`);
      location = (await go(action, form(fields))).headers.get('location')!;
      while (!location.startsWith(UI_CLIENT.redirectUri) && !location.startsWith('/interaction/')) location = (await go(location)).headers.get('location')!;
    }
    const code = new URL(location).searchParams.get('code');
    assert.ok(code, `no code in ${location}`);
    const basic = Buffer.from(`${UI_CLIENT.id}:${UI_CLIENT.secret}`).toString('base64');
    const tokens = (await (await fetch(`${issuer}/token`, { ...form({ grant_type: 'authorization_code', code, redirect_uri: UI_CLIENT.redirectUri, code_verifier: verifier, resource }), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` } })).json()) as { access_token?: string; error?: string };
    assert.ok(tokens.access_token, `token endpoint: ${JSON.stringify(tokens)}`);
    return tokens.access_token;
  }
  return { issuer, accessToken, ttl, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('codec endpoint: identity-provider access tokens (a cluster UI with passAccessToken)', function () {
  this.timeout(60_000);
  let idp: Idp;
  let app: FastifyInstance;
  let base: string;
  let encrypted: { payloads: { metadata: Record<string, string>; data: string }[] };
  const secretText = 'laptop of j.doe stolen';

  before(async () => {
    idp = await startIdp(await freePort());
    const dataDir = tempDir('codec-idp');
    const configFile = path.join(dataDir, 'firebreak.yaml');
    writeFileSync(
      configFile,
      toYaml({
        // Someone the config names (by email) with a codec role, someone whose group maps to it, someone with neither.
        people: [{ id: 'jordan', email: 'jordan@example.com', roles: ['incident-commander'] }],
        codecOrigins: [UI_ORIGIN],
        codecAccessTokens: { audience: [AUDIENCE] },
        console: { oidc: { issuer: idp.issuer, clientId: 'firebreak-console', groupsClaim: 'groups', groupRoles: { 'ir-leads': ['incident-commander'] } } },
      }),
    );
    // A cluster deployment: Temporal elsewhere, so no origin is trusted without a token.
    const config = loadConfig({ FIREBREAK_DATA_DIR: dataDir, FIREBREAK_CONFIG: configFile, TEMPORAL_ADDRESS: '127.0.0.1:7233' });
    const secrets = resolveSecrets(config);
    const codec = new AesGcmPayloadCodec(secrets.keyring);
    app = Fastify();
    const apiToken = { sha256: createHash('sha256').update(API_TOKEN).digest('hex'), personId: 'jordan', roles: ['incident-commander'] };
    registerCodecRoutes(app, codecRouteDeps(config, codec, new TokenDirectory([apiToken]), testLog));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    const [payload] = await codec.encode([defaultPayloadConverter.toPayload({ title: secretText })]);
    encrypted = { payloads: [{ metadata: Object.fromEntries(Object.entries(payload!.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(payload!.data!).toString('base64') }] };
  });
  after(async () => {
    await app?.close();
    await idp?.close();
  });

  const decode = (token: string | undefined) =>
    fetch(`${base}/codec/decode`, {
      method: 'POST',
      headers: { origin: UI_ORIGIN, 'content-type': 'application/json', 'x-namespace': 'default', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(encrypted),
    });

  it('decodes for a person named by the token’s email claim, and for one whose group maps to a codec role, logging via idp-token', async () => {
    const lines: string[] = [];
    const untap = tapTestLog((line) => lines.push(line));
    try {
      for (const login of ['jordan', 'casey']) {
        const answer = await decode(await idp.accessToken(login));
        assert.equal(answer.status, 200, await answer.clone().text());
        assert.equal(answer.headers.get('access-control-allow-origin'), UI_ORIGIN);
        const wire = (await answer.json()) as typeof encrypted;
        assert.equal(JSON.parse(Buffer.from(wire.payloads[0]!.data, 'base64').toString()).title, secretText);
      }
    } finally {
      untap();
    }
    const used = lines.filter((line) => line.includes('codec used')).map((line) => JSON.parse(line) as { personId: string; via: string });
    assert.deepEqual(used.map(({ personId, via }) => ({ personId, via })), [{ personId: 'jordan', via: 'idp-token' }, { personId: 'casey@example.com', via: 'idp-token' }]);
    assert.ok(lines.every((line) => !line.includes('eyJ')), 'no token in any log line');
  });

  it('refuses a valid token of someone without a codec role (403), and one issued for another audience (401)', async () => {
    const robin = await decode(await idp.accessToken('robin'));
    assert.equal(robin.status, 403);
    assert.equal(((await robin.json()) as { error: string }).error, 'auth.unknown_person');

    const elsewhere = await decode(await idp.accessToken('jordan', 'https://another-api.test'));
    assert.equal(elsewhere.status, 401);
    assert.deepEqual(await elsewhere.json(), { error: 'auth.invalid_token', message: "this identity provider token's aud claim is not accepted here" });
  });

  it('refuses a forged or altered token and one from another issuer (401), and an expired one (401 auth.expired)', async function () {
    this.timeout(90_000);
    const token = await idp.accessToken('jordan');
    const [header, body, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const altered = `${header}.${Buffer.from(JSON.stringify({ ...claims, email: 'casey@example.com' })).toString('base64url')}.${signature}`;
    const flipped = `${header}.${body}.${signature.slice(0, -4)}${signature.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    for (const bad of [altered, flipped]) {
      const answer = await decode(bad);
      assert.equal(answer.status, 401);
      assert.equal(((await answer.json()) as { error: string }).error, 'auth.invalid_token');
    }

    // Same claims, but signed by a second provider: its keys are not the configured issuer's.
    const other = await startIdp(await freePort());
    try {
      const answer = await decode(await other.accessToken('jordan'));
      assert.equal(answer.status, 401);
    } finally {
      await other.close();
    }

    // A token that lived 1 s, presented once it and the clock leeway have passed.
    idp.ttl.seconds = 1;
    let expired: string;
    try {
      expired = await idp.accessToken('jordan');
    } finally {
      idp.ttl.seconds = 300;
    }
    await new Promise((r) => setTimeout(r, (1 + CLOCK_TOLERANCE_S + 1) * 1000));
    const late = await decode(expired);
    assert.equal(late.status, 401);
    assert.equal(((await late.json()) as { error: string }).error, 'auth.expired');
  });

  it('answers 503 with Retry-After while the identity provider cannot be reached, so the UI can retry', async () => {
    const token = await idp.accessToken('jordan');
    const dataDir = tempDir('codec-idp-down');
    const configFile = path.join(dataDir, 'firebreak.yaml');
    const nobody = `http://127.0.0.1:${await freePort()}`;
    writeFileSync(configFile, toYaml({ people: [{ id: 'jordan', email: 'jordan@example.com', roles: ['incident-commander'] }], codecAccessTokens: { audience: [AUDIENCE] }, console: { oidc: { issuer: nobody, clientId: 'firebreak-console' } } }));
    const config = loadConfig({ FIREBREAK_DATA_DIR: dataDir, FIREBREAK_CONFIG: configFile, TEMPORAL_ADDRESS: '127.0.0.1:7233' });
    const down = Fastify();
    registerCodecRoutes(down, codecRouteDeps(config, new AesGcmPayloadCodec(resolveSecrets(config).keyring), new TokenDirectory([]), testLog));
    try {
      const answer = await fetch(`${await down.listen({ host: '127.0.0.1', port: 0 })}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(encrypted) });
      assert.equal(answer.status, 503);
      assert.equal(answer.headers.get('retry-after'), '5');
      assert.equal(((await answer.json()) as { error: string }).error, 'auth.idp_unavailable');
    } finally {
      await down.close();
    }
  });

  it('leaves Firebreak API tokens and the missing-token answer as they were', async () => {
    assert.equal((await decode(API_TOKEN)).status, 200);
    assert.equal((await decode(undefined)).status, 401);
    assert.equal((await decode('not-a-jwt')).status, 401);
    assert.equal((await decode('a.b.c')).status, 401);
  });
});
