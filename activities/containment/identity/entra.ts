import type { TokenSource } from '../vendor-kit/oauth-token';
import { type VendorRequest, createVendorHttp } from '../vendor-kit/vendor-http';
import type { IdentityProvider, UserState } from './provider';

/**
 * Microsoft Entra ID through Microsoft Graph v1.0: GET /users/{id}?$select=id,accountEnabled, PATCH /users/{id}
 * { accountEnabled }, POST /users/{id}/revokeSignInSessions. The user is an object id or user principal name.
 */

export interface EntraUserState extends UserState {
  id: string;
  accountEnabled: boolean;
}

export function entraProvider(opts: { graphUrl: string; token: TokenSource; secrets: () => string[] }): IdentityProvider<EntraUserState> {
  const http = createVendorHttp({ vendor: 'entra', baseUrl: opts.graphUrl, authorization: () => opts.token.header(), onUnauthorized: () => opts.token.invalidate() });
  const target = (user: string) => `user ${user}`;
  const req = {
    get: (user: string): VendorRequest => ({ method: 'GET', path: '/users/{id}', params: { id: user }, query: { $select: 'id,accountEnabled' }, target: target(user) }),
    patch: (user: string, accountEnabled: boolean): VendorRequest => ({ method: 'PATCH', path: '/users/{id}', params: { id: user }, body: { accountEnabled }, target: target(user) }),
    revoke: (user: string): VendorRequest => ({ method: 'POST', path: '/users/{id}/revokeSignInSessions', params: { id: user }, target: target(user) }),
  };
  const planned = (request: VendorRequest, when?: string) => {
    const p = http.plan(request);
    return { vendor: 'entra', operation: `${p.method} ${p.url}`, request: p, ...(when ? { when } : {}) };
  };
  return {
    vendor: 'entra',
    async read(user) {
      const { body } = await http.send<{ id: string; accountEnabled?: boolean | null }>(req.get(user));
      const accountEnabled = body.accountEnabled !== false;
      return { id: body.id, accountEnabled, disabled: !accountEnabled };
    },
    disable: async (_user, current) => {
      await http.send(req.patch(current.id, false));
    },
    enable: async (_user, current) => {
      await http.send(req.patch(current.id, true));
    },
    revokeSessions: async (user) => {
      await http.send(req.revoke(user));
    },
    plan: {
      disable: (user) => [planned(req.get(user)), planned(req.patch(user, false), 'the account is enabled')],
      enable: (user) => [planned(req.patch(user, true), 'it was enabled before')],
      revokeSessions: (user) => [planned(req.revoke(user))],
    },
    secrets: opts.secrets,
  };
}
