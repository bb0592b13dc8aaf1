import { type JWTPayload, type JWTVerifyGetKey, createRemoteJWKSet, errors, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { Actor } from '../../workflows/incident/messages';

/**
 * Access tokens of the organisation's identity provider, accepted where a Temporal Web UI signed in with that provider
 * passes its user's token on (the codec endpoint with `passAccessToken`). The provider is the console's
 * (`console.oidc.issuer`): its metadata is discovered once (a failed discovery is retried on the next token) and its
 * signing keys are fetched from its `jwks_uri` and refreshed when a token names a key not seen yet.
 */
export interface IdpTokenSettings {
  issuer: string;
  /** The console's client id, for discovery only (a token's audience is checked against `audience`). */
  clientId: string;
  /** A token is accepted only when its `aud` names one of these: what the provider issues the UI's tokens for. */
  audience: readonly string[];
}

/** Who a verified token's claims make a person (the console's sign-in mapping), or why nobody. */
export type PersonOfClaims = (claims: Record<string, unknown>) => { id: string; roles: string[] } | { refused: string; message: string };

export type IdpVerdict = { ok: true; actor: Actor } | { ok: false; status: 401 | 403 | 503; code: string; message: string };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
/** Leeway for clocks between the provider and this host when checking `exp` and `nbf` (both keep NTP time). */
export const CLOCK_TOLERANCE_S = 10;

/** `Bearer <header>.<payload>.<signature>`: the shape of a JWT, which no Firebreak API token has. */
export function bearerJwt(authorization: string | undefined): string | undefined {
  return /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(authorization ?? '')?.[1];
}

export class IdpAccessTokens {
  private provider?: Promise<{ issuer: string; keys: JWTVerifyGetKey }>;

  constructor(
    private readonly settings: IdpTokenSettings,
    private readonly personOf: PersonOfClaims,
  ) {}

  private discover(): Promise<{ issuer: string; keys: JWTVerifyGetKey }> {
    this.provider ??= (async () => {
      const issuer = new URL(this.settings.issuer);
      // As the console: plain http only for a provider on this machine.
      const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
      const metadata = (await oidc.discovery(issuer, this.settings.clientId, undefined, undefined, insecure ? { execute: [oidc.allowInsecureRequests] } : undefined)).serverMetadata();
      if (!metadata.jwks_uri) throw new Error(`${this.settings.issuer} publishes no jwks_uri`);
      return { issuer: metadata.issuer, keys: createRemoteJWKSet(new URL(metadata.jwks_uri)) };
    })();
    this.provider.catch(() => (this.provider = undefined));
    return this.provider;
  }

  /** Checks signature, issuer, audience and expiry, then maps the token's claims to a person and roles. */
  async verify(token: string): Promise<IdpVerdict> {
    let provider: { issuer: string; keys: JWTVerifyGetKey };
    try {
      provider = await this.discover();
    } catch {
      return { ok: false, status: 503, code: 'auth.idp_unavailable', message: 'the identity provider could not be reached to check this token' };
    }
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, provider.keys, {
        issuer: provider.issuer,
        audience: [...this.settings.audience],
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (error) {
      return refusal(error);
    }
    const person = this.personOf(claims);
    if ('refused' in person) return { ok: false, status: 403, code: person.refused, message: person.message };
    return { ok: true, actor: { kind: 'person', id: person.id, roles: person.roles } };
  }
}

function refusal(error: unknown): IdpVerdict {
  // Not a verdict about the token (the key set could not be fetched): the caller may retry.
  if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) return { ok: false, status: 503, code: 'auth.idp_unavailable', message: 'the identity provider’s keys could not be fetched' };
  if (error instanceof errors.JWTExpired) return { ok: false, status: 401, code: 'auth.expired', message: 'this identity provider token has expired' };
  if (error instanceof errors.JWTClaimValidationFailed) return { ok: false, status: 401, code: 'auth.invalid_token', message: `this identity provider token's ${error.claim} claim is not accepted here` };
  return { ok: false, status: 401, code: 'auth.invalid_token', message: 'this token is not a valid token of the configured identity provider' };
}
