import type { TokenSource } from '../vendor-kit/oauth-token';
import { type VendorRequest, createVendorHttp } from '../vendor-kit/vendor-http';
import type { IdentityProvider, UserState } from './provider';

/**
 * Google Workspace through the Admin SDK Directory API: GET admin/directory/v1/users/{userKey}, PUT (patch
 * semantics) { suspended }, POST .../signOut. The service account acts as a super admin by domain-wide delegation.
 */

export interface GoogleUserState extends UserState {
  id: string;
  suspended: boolean;
}

export function googleProvider(opts: { apiUrl: string; token: TokenSource; secrets: () => string[] }): IdentityProvider<GoogleUserState> {
  const http = createVendorHttp({ vendor: 'google', baseUrl: opts.apiUrl, authorization: () => opts.token.header(), onUnauthorized: () => opts.token.invalidate() });
  const path = '/admin/directory/v1/users/{userKey}';
  const target = (user: string) => `user ${user}`;
  const req = {
    get: (user: string): VendorRequest => ({ method: 'GET', path, params: { userKey: user }, query: { projection: 'basic', fields: 'id,primaryEmail,suspended' }, target: target(user) }),
    update: (user: string, suspended: boolean): VendorRequest => ({ method: 'PUT', path, params: { userKey: user }, body: { suspended }, target: target(user) }),
    signOut: (user: string): VendorRequest => ({ method: 'POST', path: `${path}/signOut`, params: { userKey: user }, target: target(user) }),
  };
  const planned = (request: VendorRequest, when?: string) => {
    const p = http.plan(request);
    return { vendor: 'google', operation: `${p.method} ${p.url}`, request: p, ...(when ? { when } : {}) };
  };
  return {
    vendor: 'google',
    async read(user) {
      const { body } = await http.send<{ id: string; suspended?: boolean }>(req.get(user));
      return { id: body.id, suspended: body.suspended === true, disabled: body.suspended === true };
    },
    disable: async (_user, current) => {
      await http.send(req.update(current.id, true));
    },
    enable: async (_user, current) => {
      await http.send(req.update(current.id, false));
    },
    revokeSessions: async (user) => {
      await http.send(req.signOut(user));
    },
    plan: {
      disable: (user) => [planned(req.get(user)), planned(req.update(user, true), 'the user is not suspended')],
      enable: (user) => [planned(req.update(user, false), 'it was not suspended before')],
      revokeSessions: (user) => [planned(req.signOut(user))],
    },
    secrets: opts.secrets,
  };
}
