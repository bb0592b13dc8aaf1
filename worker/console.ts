import type { FastifyInstance } from 'fastify';
import { type ConsoleDeps, registerConsole } from '../console';
import type { TokenDirectory } from '../ingress/api/token-directory';
import type { Config } from './config';
import type { Logger } from './logging';
import { resolveSecret } from './secret';
import type { ResolvedSecrets } from './secrets';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Mounts the web console on the HTTP service when enabled. A bad secret reference stops start-up naming the setting.
 * API tokens sign in to the console only when the service listens on loopback alone (the default install).
 */
export function mountConsole(app: FastifyInstance, config: Config, secrets: ResolvedSecrets, deps: Pick<ConsoleDeps, 'incidents' | 'reads' | 'catalog' | 'report' | 'log'> & { tokens: TokenDirectory; log: Logger }): void {
  const settings = config.console;
  if (!settings.enabled) return;
  const clientSecret = settings.oidc?.clientSecret ? resolveSecret('console.oidc.clientSecret', settings.oidc.clientSecret) : undefined;
  const sessionSecret = settings.sessionSecret ? resolveSecret('console.sessionSecret', settings.sessionSecret) : secrets.adminToken;
  registerConsole(app, {
    ...deps,
    settings,
    people: config.people,
    sessionSecret: sessionSecret.reveal(),
    oidcClientSecret: () => clientSecret?.reveal(),
    tokens: LOOPBACK_HOSTS.has(config.http.host) ? deps.tokens : undefined,
  });
}
