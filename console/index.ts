import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { TokenDirectory } from '../ingress/api/token-directory';
import type { ReadGuard } from '../ingress/access/read-guard';
import type { IncidentClient } from '../ingress/incident-client';
import type { RunbookCatalog } from '../ingress/runbook-catalog';
import { registerAssets } from './assets';
import { registerAuthRoutes } from './auth-routes';
import type { ConsoleConfig } from './console-config';
import { readCookie, SESSION_COOKIE } from './cookies';
import { formBody } from './form-body';
import type { ReportStores } from './incident-data';
import { registerIncidentPages } from './incident-routes';
import { LiveFeeds } from './live';
import { OidcSignIn } from './oidc';
import type { ConfiguredPerson } from './people';
import { errorPage } from './pages/simple-pages';
import { CookieSealer, Session } from './session';

export interface ConsoleDeps {
  settings: ConsoleConfig;
  incidents: IncidentClient;
  /** Who may see an incident, with refusals audited: the read guard every edge uses. */
  reads: Pick<ReadGuard, 'incident'>;
  catalog: Pick<RunbookCatalog, 'runbooks' | 'byId'>;
  people: readonly ConfiguredPerson[];
  /** Secret the session cookies are sealed with; every replica must hold the same. */
  sessionSecret: string;
  oidcClientSecret?: () => string | undefined;
  /** API tokens sign in only when this is given: on a loopback-only install. */
  tokens?: TokenDirectory;
  report: ReportStores;
  log: Logger;
  /** How often a live view asks Temporal again (default 2 s). */
  liveIntervalMs?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession?: Session;
  }
}

/**
 * No inline script or style, nothing from elsewhere: pages load only the console's own files. Forms post only here
 * (sign-in to the identity provider is a link, not a form); only sign-out's answer leads on, to the provider's
 * end-session endpoint, which `form-action` must name since browsers check a form's redirects too. No page may be framed.
 */
const csp = (formTargets: readonly string[]) =>
  `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action ${['\'self\'', ...formTargets].join(' ')}; frame-ancestors 'none'; base-uri 'none'`;

const PUBLIC = /^\/console\/(sign-in|auth\/|assets\/)/;

/**
 * The web console at `/console`: server-rendered pages over the incident client (the same validators as Slack and the
 * API), OIDC sign-in, sealed-cookie sessions, a CSRF token on every form, live parts pushed by server-sent events.
 */
export function registerConsole(app: FastifyInstance, deps: ConsoleDeps): void {
  const sealer = new CookieSealer(deps.sessionSecret);
  const oidc = deps.settings.oidc ? new OidcSignIn(deps.settings.oidc, deps.oidcClientSecret ?? (() => undefined)) : undefined;
  const live = new LiveFeeds(deps.liveIntervalMs ?? 2_000);
  // A list asks about a whole page of incidents each time: less often, since its clocks count down in the browser.
  const liveLists = new LiveFeeds((deps.liveIntervalMs ?? 2_000) * 2.5);
  app.addHook('preClose', (done) => {
    live.closeAll();
    liveLists.closeAll();
    done();
  });

  app.get('/', async (_request, reply) => reply.redirect('/console/incidents', 302));
  app.get('/console', async (_request, reply) => reply.redirect('/console/incidents', 302));

  app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      reply.header('content-security-policy', csp(oidc?.formTargets() ?? [])).header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin').header('cache-control', 'no-store');
      // By the matched route, not the raw URL, so no spelling of a path slips past the check.
      const route = request.routeOptions.url ?? request.url;
      if (PUBLIC.test(route) || route === '/console/sign-out') return;
      const session = sealer.unseal('session', Session, readCookie(request, SESSION_COOKIE));
      if (!session) return signedOut(request, reply);
      request.consoleSession = session;
    });
    // Every state-changing request carries the session's CSRF token (checked after the body is read).
    scope.addHook('preHandler', async (request, reply) => {
      if (request.method !== 'POST' || !request.consoleSession) return;
      if (!sealer.csrfValid(request.consoleSession, formBody(request).get('_csrf'))) {
        deps.log.warn({ personId: request.consoleSession.personId, url: request.url }, 'console form refused: CSRF token missing or wrong');
        return reply.code(403).type('text/html; charset=utf-8').send(errorPage({ title: 'Refused' }, 403, 'csrf.invalid', 'This form has no valid security token (it may be from another site or an old page). Reload the page and try again.'));
      }
    });
    registerAssets(scope);
    registerAuthRoutes(scope, { settings: deps.settings, sealer, oidc, tokens: deps.tokens, people: deps.people, log: deps.log });
    registerIncidentPages(scope, { ...deps, sealer, live, liveLists });
  });
}

function signedOut(request: FastifyRequest, reply: FastifyReply) {
  if (request.method === 'GET' && !request.url.endsWith('/events')) return reply.redirect(`/console/sign-in?return=${encodeURIComponent(request.url)}`, 302);
  return reply.code(401).type('text/plain; charset=utf-8').send('auth.signed_out: sign in again');
}
