import { ApplicationFailure } from '@temporalio/activity';
import { VendorFailureType } from '../vendor-kit/failures';
import type { TokenSource } from '../vendor-kit/oauth-token';
import { type VendorRequest, createVendorHttp } from '../vendor-kit/vendor-http';
import type { IdentityProvider, UserState } from './provider';

/**
 * Okta Management API: GET /api/v1/users/{id}, POST .../lifecycle/suspend and /unsuspend, DELETE
 * /api/v1/users/{userId}/sessions?oauthTokens=true (sessions and the OAuth/OIDC tokens issued to the user), POST
 * .../lifecycle/reset_factors (after GET /api/v1/users/{userId}/factors, so the evidence names what was reset). Suspend applies only to ACTIVE users; a user in another signing-in state (locked out,
 * password expired, in recovery) cannot be suspended, so the step fails naming the status after revoking sessions.
 */

export interface OktaUserState extends UserState {
  id: string;
  status: string;
}

const DISABLED = new Set(['SUSPENDED', 'DEPROVISIONED']);

export function oktaProvider(opts: { orgUrl: string; token: TokenSource; secrets: () => string[] }): IdentityProvider<OktaUserState> {
  const http = createVendorHttp({ vendor: 'okta', baseUrl: opts.orgUrl, authorization: () => opts.token.header(), onUnauthorized: () => opts.token.invalidate() });
  const req = {
    get: (user: string): VendorRequest => ({ method: 'GET', path: '/api/v1/users/{id}', params: { id: user }, target: `user ${user}` }),
    suspend: (user: string): VendorRequest => ({ method: 'POST', path: '/api/v1/users/{id}/lifecycle/suspend', params: { id: user }, target: `user ${user}` }),
    unsuspend: (user: string): VendorRequest => ({ method: 'POST', path: '/api/v1/users/{id}/lifecycle/unsuspend', params: { id: user }, target: `user ${user}` }),
    sessions: (user: string): VendorRequest => ({ method: 'DELETE', path: '/api/v1/users/{userId}/sessions', params: { userId: user }, query: { oauthTokens: 'true' }, target: `user ${user}` }),
    resetFactors: (user: string): VendorRequest => ({ method: 'POST', path: '/api/v1/users/{id}/lifecycle/reset_factors', params: { id: user }, target: `user ${user}` }),
    factors: (user: string): VendorRequest => ({ method: 'GET', path: '/api/v1/users/{userId}/factors', params: { userId: user }, target: `user ${user}` }),
  };
  const planned = (request: VendorRequest, when?: string) => {
    const p = http.plan(request);
    return { vendor: 'okta', operation: `${p.method} ${p.url}`, request: p, ...(when ? { when } : {}) };
  };
  return {
    vendor: 'okta',
    async read(user) {
      const { body } = await http.send<{ id: string; status: string }>(req.get(user));
      return { id: body.id, status: body.status, disabled: DISABLED.has(body.status) };
    },
    async disable(user, current) {
      if (current.status !== 'ACTIVE') {
        await http.send(req.sessions(user));
        throw ApplicationFailure.create({
          type: VendorFailureType.Refused,
          message: `okta suspends only ACTIVE users; user ${user} is ${current.status} (its sessions were revoked)`,
          nonRetryable: true,
          details: [{ vendor: 'okta', status: current.status }],
        });
      }
      await http.send(req.suspend(current.id));
    },
    async enable(_user, current) {
      if (current.status === 'SUSPENDED') await http.send(req.unsuspend(current.id));
    },
    revokeSessions: async (user) => {
      await http.send(req.sessions(user));
    },
    resetFactors: async (user) => {
      await http.send(req.resetFactors(user));
    },
    async listFactors(user) {
      const { body } = await http.send<Array<{ id: string; factorType: string; provider: string; status: string }>>(req.factors(user));
      return body.map(({ id, factorType, provider, status }) => ({ id, factorType, provider, status }));
    },
    plan: {
      disable: (user) => [planned(req.get(user)), planned(req.suspend(user), 'the user is ACTIVE')],
      enable: (user) => [planned(req.unsuspend(user), 'the user was ACTIVE before and is SUSPENDED now')],
      revokeSessions: (user) => [planned(req.sessions(user))],
      resetFactors: (user) => [planned(req.factors(user)), planned(req.resetFactors(user), 'the user has enrolled factors')],
    },
    secrets: opts.secrets,
  };
}
