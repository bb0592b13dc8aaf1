import type { Server } from 'node:http';
import Provider from 'oidc-provider';

export interface TestProvider {
  issuer: string;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (node-oidc-provider, OpenID certified) on loopback. Its development login form takes
 * any login name: the account `<login>` gets the claims `email: <login>@example.com` and a name. The client needs
 * PKCE (S256) and its secret at the token endpoint, as a production provider would. RP-initiated logout is on (the
 * provider's default): its discovery advertises `end_session_endpoint`, which asks the person to confirm.
 */
export async function startTestProvider(port: number, client: { id: string; secret: string; redirectUri: string; postLogoutRedirectUri?: string }, options: { logout?: boolean } = {}): Promise<TestProvider> {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: client.id, client_secret: client.secret, redirect_uris: [client.redirectUri], ...(client.postLogoutRedirectUri && { post_logout_redirect_uris: [client.postLogoutRedirectUri] }), grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: `${id}@example.com`, email_verified: true, name: id.charAt(0).toUpperCase() + id.slice(1) }),
    }),
    cookies: { keys: ['console-test-cookie-key'] },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: options.logout ?? true } },
  });
  const server: Server = await new Promise((resolve) => {
    const s = provider.listen(port, '127.0.0.1', () => resolve(s));
  });
  return { issuer, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
