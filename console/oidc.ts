import * as oidc from 'openid-client';
import type { ConsoleConfig } from './console-config';
import type { Claims } from './people';

type OidcSettings = NonNullable<ConsoleConfig['oidc']>;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const END_SESSION_WAIT_MS = 3_000;

/**
 * The console's OpenID Connect relying party: authorization code flow with PKCE (S256), state and nonce. The
 * provider's metadata is discovered on first use and kept; a failed discovery is retried on the next sign-in.
 */
export class OidcSignIn {
  private configuration?: Promise<oidc.Configuration>;
  private endSessionOrigin?: string;

  constructor(private readonly settings: OidcSettings, private readonly clientSecret: () => string | undefined) {}

  private config(): Promise<oidc.Configuration> {
    this.configuration ??= (async () => {
      const issuer = new URL(this.settings.issuer);
      // Plain http only for a provider on this machine (a test or a local IdP); anything else must be https.
      const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
      const config = await oidc.discovery(issuer, this.settings.clientId, this.clientSecret(), undefined, insecure ? { execute: [oidc.allowInsecureRequests] } : undefined);
      const endSession = config.serverMetadata().end_session_endpoint;
      this.endSessionOrigin = endSession ? new URL(endSession).origin : undefined;
      return config;
    })();
    this.configuration.catch(() => {
      this.configuration = undefined;
    });
    return this.configuration;
  }

  /**
   * Origins a console form may lead to: the sign-out form redirects to the provider's end-session endpoint, and the
   * browser checks that redirect against the page's CSP `form-action`.
   */
  formTargets(): string[] {
    return [...new Set([new URL(this.settings.issuer).origin, ...(this.endSessionOrigin ? [this.endSessionOrigin] : [])])];
  }

  /** Where to send the browser, and what the callback must check (kept sealed in a short-lived cookie). */
  async start(redirectUri: string): Promise<{ url: string; verifier: string; state: string; nonce: string }> {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(await this.config(), {
      redirect_uri: redirectUri,
      scope: this.settings.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, verifier, state, nonce };
  }

  /**
   * Redeems the code at the token endpoint and returns the ID token's claims (signature, issuer, audience, nonce
   * checked), completed from the UserInfo endpoint when the ID token lacks the claims the console maps: many providers
   * put scope claims (email, groups) only there.
   */
  async finish(callbackUrl: URL, checks: { verifier: string; state: string; nonce: string }): Promise<{ claims: Claims; idToken?: string }> {
    const config = await this.config();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    const claims = { ...(tokens.claims() ?? {}) } as Claims;
    const idToken = tokens.id_token;
    const wanted = [this.settings.personClaim, this.settings.groupsClaim].filter((c): c is string => c !== undefined);
    if (wanted.every((c) => c in claims) || typeof claims.sub !== 'string') return { claims, idToken };
    // UserInfo must name the same subject as the ID token (openid-client checks it); ID token claims win.
    return { claims: { ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)), ...claims }, idToken };
  }

  /**
   * Where to send the browser to end the provider's session too (RP-initiated logout), when the provider advertises an
   * `end_session_endpoint`; undefined when it does not, or cannot be reached (signing out here must not wait on it).
   */
  async endSessionUrl(postLogoutRedirectUri: string, idToken: string | undefined): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // Discovery is kept from sign-in; after a restart it is fetched again, for at most a few seconds.
      const config = await Promise.race([this.config(), new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error('discovery timed out')), END_SESSION_WAIT_MS)))]);
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: postLogoutRedirectUri, ...(idToken && { id_token_hint: idToken }) }).href;
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
