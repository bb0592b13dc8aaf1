import type { PayloadCodec } from '@temporalio/common';
import type { Logger } from '../shared/logger';
import { type CodecRouteDeps, loopbackUiOrigins } from '../ingress/api/codec-routes';
import { IdpAccessTokens } from '../ingress/api/idp-access-tokens';
import { personFromClaims } from '../console/people';
import type { TokenDirectory } from '../ingress/api/token-directory';
import type { Config } from './config';

/*
 * How the Temporal Web UI reaches Firebreak's codec endpoint: the embedded dev server's UI is started pointing at it,
 * and CORS admits that UI's loopback origins plus the configured cluster UIs (`codecOrigins`).
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** True when nothing but this machine can reach Firebreak and Temporal: the embedded dev server, HTTP on loopback. */
export function isLoopbackOnlyInstall(config: Config): boolean {
  return config.temporal.address === undefined && LOOPBACK_HOSTS.has(config.http.host);
}

/** The `/codec` base the embedded UI calls from the operator's browser (it appends `/decode`). */
export function embeddedUiCodecEndpoint(config: Config): string {
  const host = LOOPBACK_HOSTS.has(config.http.host) && config.http.host !== '::1' ? config.http.host : '127.0.0.1';
  return `http://${host}:${config.http.port}/codec`;
}

export function codecRouteDeps(config: Config, codec: PayloadCodec, tokens: TokenDirectory, log: Logger): CodecRouteDeps {
  // The loopback UI's origins stay admitted with a cluster too (a port-forwarded UI), but only with a token there.
  const embedded = loopbackUiOrigins(config.temporal.uiPort);
  return {
    codec,
    tokens,
    roles: config.codecRoles,
    allowedOrigins: [...embedded, ...config.codecOrigins],
    // The embedded UI has no sign-in, so it cannot send a token; on a loopback-only install it already controls every
    // workflow without one, and only this machine can reach either port.
    localUi: isLoopbackOnlyInstall(config) ? { origins: embedded, actor: { kind: 'person', id: 'local-admin', roles: config.adminRoles } } : undefined,
    idpTokens: idpAccessTokens(config),
    log,
  };
}

function idpAccessTokens(config: Config): IdpAccessTokens | undefined {
  const wanted = config.codecAccessTokens;
  if (!wanted) return undefined;
  const provider = config.console.oidc;
  if (!provider) throw new Error('config codecAccessTokens: needs console.oidc (the identity provider whose tokens to accept: issuer, clientId)');
  const mapping = { personClaim: wanted.personClaim ?? provider.personClaim, groupsClaim: wanted.groupsClaim ?? provider.groupsClaim, groupRoles: provider.groupRoles };
  return new IdpAccessTokens({ issuer: provider.issuer, clientId: provider.clientId, audience: wanted.audience }, (claims) => personFromClaims(claims, config.people, mapping));
}
