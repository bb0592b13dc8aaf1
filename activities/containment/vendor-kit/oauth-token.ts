import { createSign, randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { VendorFailureType, tlsCertificateError } from './failures';
import { rateLimitDelayMs } from './vendor-http';

/**
 * Access tokens for vendor APIs, cached in the worker until shortly before they expire, so a burst of containment
 * steps asks the token endpoint once. Three grants cover the vendors here:
 * - `clientCredentials`: OAuth 2.0 client credentials with a client secret (Microsoft Entra / Graph);
 * - `privateKeyJwt`: client credentials with a signed client assertion, RFC 7523 (Okta service apps);
 * - `jwtBearer`: the JWT bearer grant a Google service account with domain-wide delegation uses (`sub` = the admin).
 * `staticToken` wraps a long-lived API token (Okta `SSWS`) in the same interface. Secrets come in as resolvers and
 * are revealed only on the line that builds the request; the token itself never leaves this module except as the
 * header value handed to `fetch`.
 */

export interface SecretValue {
  reveal(): string;
}

export interface TokenSource {
  /** The `Authorization` header value (`Bearer ...`, `SSWS ...`). */
  header(): Promise<string>;
  /** Forget the cached token (the vendor answered 401). */
  invalidate(): void;
}

interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
}

/** Caches one grant's token until `skewSeconds` before it expires; concurrent callers share one request. */
export function cachedToken(grant: () => Promise<IssuedToken>, opts: { now?: () => number; skewSeconds?: number } = {}): TokenSource {
  const now = opts.now ?? Date.now;
  const skewMs = (opts.skewSeconds ?? 60) * 1000;
  let cached: { value: string; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;
  return {
    async header() {
      if (cached && now() < cached.expiresAt - skewMs) return `Bearer ${cached.value}`;
      inFlight ??= grant()
        .then((token) => {
          cached = { value: token.accessToken, expiresAt: now() + token.expiresInSeconds * 1000 };
          return token.accessToken;
        })
        .finally(() => {
          inFlight = undefined;
        });
      return `Bearer ${await inFlight}`;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

export function staticToken(scheme: string, secret: () => SecretValue): TokenSource {
  return { header: async () => `${scheme} ${secret().reveal()}`, invalidate: () => undefined };
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** An RS256-signed JWT (the assertion both RFC 7523 grants send). */
export function signJwtRs256(claims: Record<string, unknown>, privateKeyPem: string, keyId?: string): string {
  const header = { alg: 'RS256', typ: 'JWT', ...(keyId ? { kid: keyId } : {}) };
  const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKeyPem);
  return `${unsigned}.${b64url(signature)}`;
}

/** POSTs a form to a token endpoint and reads `access_token` / `expires_in`, classifying refusals like vendor-http. */
async function requestToken(vendor: string, tokenUrl: string, form: URLSearchParams, nowMs: number): Promise<IssuedToken> {
  const facts = { vendor, tokenUrl };
  let response: Response;
  try {
    response = await fetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    const certificate = tlsCertificateError(error);
    if (certificate) {
      throw ApplicationFailure.create({ type: VendorFailureType.TlsUntrusted, message: `${vendor} token endpoint's TLS certificate is not trusted (${certificate})`, nonRetryable: true, details: [{ ...facts, code: certificate }] });
    }
    throw ApplicationFailure.create({ type: VendorFailureType.Unavailable, message: `${vendor} token endpoint unreachable (${(error as Error).name})`, details: [facts] });
  }
  const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
  if (response.ok && typeof body.access_token === 'string') {
    return { accessToken: body.access_token, expiresInSeconds: Number(body.expires_in ?? 3600) || 3600 };
  }
  const status = response.status;
  const details = [{ ...facts, status, error: typeof body.error === 'string' ? body.error : undefined }];
  if (status === 429 || status >= 500) {
    const delay = rateLimitDelayMs(response.headers, nowMs);
    throw ApplicationFailure.create({ type: status === 429 ? VendorFailureType.RateLimited : VendorFailureType.Unavailable, message: `${vendor} token endpoint answered ${status}`, details, ...(delay !== undefined ? { nextRetryDelay: delay } : {}) });
  }
  throw ApplicationFailure.create({ type: VendorFailureType.Unauthorized, message: `${vendor} token endpoint refused the credentials (${status})`, nonRetryable: true, details });
}

/** `scope` is left out where the vendor has none (CrowdStrike's API clients carry their scopes). */
export function clientCredentials(opts: { vendor: string; tokenUrl: string; clientId: string; clientSecret: () => SecretValue; scope?: string; now?: () => number }): TokenSource {
  const now = opts.now ?? Date.now;
  return cachedToken(
    () => requestToken(opts.vendor, opts.tokenUrl, new URLSearchParams({ grant_type: 'client_credentials', client_id: opts.clientId, client_secret: opts.clientSecret().reveal(), ...(opts.scope ? { scope: opts.scope } : {}) }), now()),
    { now },
  );
}

export function privateKeyJwt(opts: { vendor: string; tokenUrl: string; clientId: string; privateKey: () => SecretValue; keyId?: string; scope: string; now?: () => number }): TokenSource {
  const now = opts.now ?? Date.now;
  return cachedToken(() => {
    const iat = Math.floor(now() / 1000);
    const assertion = signJwtRs256({ iss: opts.clientId, sub: opts.clientId, aud: opts.tokenUrl, iat, exp: iat + 300, jti: randomUUID() }, opts.privateKey().reveal(), opts.keyId);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: opts.scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });
    return requestToken(opts.vendor, opts.tokenUrl, form, now());
  }, { now });
}

export function jwtBearer(opts: { vendor: string; tokenUrl: string; issuer: string; subject: string; privateKey: () => SecretValue; keyId?: string; scopes: readonly string[]; now?: () => number }): TokenSource {
  const now = opts.now ?? Date.now;
  return cachedToken(() => {
    const iat = Math.floor(now() / 1000);
    const claims = { iss: opts.issuer, sub: opts.subject, scope: opts.scopes.join(' '), aud: opts.tokenUrl, iat, exp: iat + 3600 };
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signJwtRs256(claims, opts.privateKey().reveal(), opts.keyId) });
    return requestToken(opts.vendor, opts.tokenUrl, form, now());
  }, { now });
}
