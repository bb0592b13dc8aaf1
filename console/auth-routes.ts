import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { TokenDirectory } from '../ingress/api/token-directory';
import type { ConsoleConfig } from './console-config';
import { clearCookie, FLOW_COOKIE, readCookie, SESSION_COOKIE, setCookie } from './cookies';
import type { OidcSignIn } from './oidc';
import { type ConfiguredPerson, personFromClaims } from './people';
import { type CookieSealer, newSessionId, OidcFlow, Session } from './session';
import { signInPage } from './pages/simple-pages';
import { formBody } from './form-body';
import { redirectWithFlash, takeFlash } from './flash';

export interface AuthDeps {
  settings: ConsoleConfig;
  sealer: CookieSealer;
  oidc?: OidcSignIn;
  /** Token sign-in is offered only when the HTTP service listens on loopback alone. */
  tokens?: TokenDirectory;
  people: readonly ConfiguredPerson[];
  log: Logger;
}

const FLOW_SECONDS = 600;
const SIGN_IN = '/console/sign-in';
const CONSOLE_SCOPES = ['read', 'decide', 'declare'] as const;

/** Only a console path may be returned to after sign-in: never another origin (an open redirect). */
export function safeReturn(value: unknown): string {
  return typeof value === 'string' && /^\/console\/[A-Za-z0-9/_\-.?=&%]*$/.test(value) && !value.startsWith('//') ? value : '/console/incidents';
}

function origin(request: FastifyRequest, settings: ConsoleConfig): string {
  return settings.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.host}`;
}

/** Browsers drop a cookie over 4 KB: a session that would not fit without it goes without the ID token. */
const MAX_SESSION_COOKIE = 3_800;

export function startSession(reply: FastifyReply, deps: AuthDeps, person: { id: string; name?: string; roles: string[] }, via: Session['via'], idToken?: string): void {
  const seconds = deps.settings.sessionHours * 3600;
  const session: Session = { sid: newSessionId(), personId: person.id, name: person.name, roles: person.roles, via, exp: Date.now() + seconds * 1000 };
  let sealed = deps.sealer.seal('session', idToken && idToken.length <= 4096 ? { ...session, idToken } : session);
  if (sealed.length > MAX_SESSION_COOKIE) sealed = deps.sealer.seal('session', session);
  setCookie(reply, SESSION_COOKIE, sealed, '/console', seconds);
  deps.log.info({ personId: person.id, via }, 'console sign-in');
}

/** Sign-in page, the OIDC round trip (authorization code + PKCE), token sign-in on loopback, and sign-out. */
export function registerAuthRoutes(app: FastifyInstance, deps: AuthDeps): void {
  const page = (reply: FastifyReply, status: number, returnTo: string, problem?: { code: string; message: string }) =>
    reply.code(status).type('text/html; charset=utf-8').send(signInPage({ oidc: deps.oidc !== undefined, token: deps.tokens !== undefined, returnTo, problem }));

  app.get('/console/sign-in', async (request, reply) => {
    const flash = takeFlash(request, reply, deps.sealer, SIGN_IN);
    return page(reply, 200, safeReturn((request.query as Record<string, unknown>).return), flash && { code: flash.code ?? 'auth.refused', message: flash.text });
  });

  app.get('/console/auth/start', async (request, reply) => {
    if (!deps.oidc) return page(reply, 404, '/console/incidents', { code: 'auth.oidc_not_configured', message: 'no identity provider is configured' });
    const returnTo = safeReturn((request.query as Record<string, unknown>).return);
    try {
      const flow = await deps.oidc.start(`${origin(request, deps.settings)}/console/auth/callback`);
      const sealed: OidcFlow = { verifier: flow.verifier, state: flow.state, nonce: flow.nonce, returnTo, exp: Date.now() + FLOW_SECONDS * 1000 };
      setCookie(reply, FLOW_COOKIE, deps.sealer.seal('oidc-flow', sealed), '/console/auth', FLOW_SECONDS);
      return reply.redirect(flow.url, 302);
    } catch (error) {
      deps.log.error({ err: error }, 'identity provider discovery failed');
      return page(reply, 503, returnTo, { code: 'auth.provider_unavailable', message: 'the identity provider did not answer; try again shortly' });
    }
  });

  app.get('/console/auth/callback', async (request, reply) => {
    const flow = deps.sealer.unseal('oidc-flow', OidcFlow, readCookie(request, FLOW_COOKIE));
    clearCookie(reply, FLOW_COOKIE, '/console/auth');
    if (!deps.oidc || !flow) return page(reply, 400, '/console/incidents', { code: 'auth.flow_expired', message: 'the sign-in took too long or was started elsewhere; sign in again' });
    let signedIn;
    try {
      signedIn = await deps.oidc.finish(new URL(request.url, `${origin(request, deps.settings)}/`), flow);
    } catch (error) {
      deps.log.warn({ err: error }, 'console sign-in refused by the OIDC checks');
      return page(reply, 401, flow.returnTo, { code: 'auth.oidc_failed', message: 'the identity provider did not confirm who you are' });
    }
    const person = personFromClaims(signedIn.claims, deps.people, deps.settings.oidc!);
    if ('refused' in person) return page(reply, 403, flow.returnTo, { code: person.refused, message: person.message });
    startSession(reply, deps, person, 'oidc', signedIn.idToken);
    return reply.redirect(flow.returnTo, 303);
  });

  app.post('/console/auth/token', async (request, reply) => {
    const form = formBody(request);
    const returnTo = safeReturn(form.get('return'));
    // Refused: back to the sign-in page by a GET, so a reload never posts the token again.
    const refused = (code: string, text: string) => redirectWithFlash(reply, deps.sealer, { kind: 'refused', code, text, path: SIGN_IN }, `${SIGN_IN}?return=${encodeURIComponent(returnTo)}`);
    if (!deps.tokens) return refused('auth.token_sign_in_off', 'token sign-in is only offered when Firebreak listens on loopback alone');
    const authorized = deps.tokens.authorize(`Bearer ${form.get('token') ?? ''}`);
    if (!authorized.ok) return refused(authorized.code === 'auth.expired' ? 'auth.expired' : 'auth.token_unknown', authorized.code === 'auth.expired' ? 'that token has expired' : 'that token is not known');
    // The console reads, decides and declares: a token limited to less must not gain it by signing in here.
    const missing = CONSOLE_SCOPES.filter((scope) => !authorized.scopes.includes(scope));
    if (missing.length > 0) return refused('auth.scope_required', `the console needs a token with the scopes ${CONSOLE_SCOPES.join(', ')}; this one lacks ${missing.join(', ')}`);
    const actor = authorized.actor;
    const configured = deps.people.find((p) => p.id === actor.id);
    startSession(reply, deps, { id: actor.id, name: configured?.name, roles: actor.roles }, 'token');
    return reply.redirect(returnTo, 303);
  });

  app.post('/console/sign-out', async (request, reply) => {
    const session = deps.sealer.unseal('session', Session, readCookie(request, SESSION_COOKIE));
    // Signing out needs the form's token too: another site must not be able to sign a person out.
    if (session && !deps.sealer.csrfValid(session, formBody(request).get('_csrf'))) return reply.code(403).type('text/plain').send('csrf.invalid');
    // The console's own session ends in any case; the provider's too when it offers RP-initiated logout, which then
    // sends the browser back to the sign-in page (the provider's client must list that page as a post-logout URI).
    clearCookie(reply, SESSION_COOKIE, '/console');
    const signIn = `${origin(request, deps.settings)}${SIGN_IN}`;
    const atProvider = session?.via === 'oidc' && deps.oidc ? await deps.oidc.endSessionUrl(signIn, session.idToken) : undefined;
    if (session) deps.log.info({ personId: session.personId, atProvider: atProvider !== undefined }, 'console sign-out');
    return reply.redirect(atProvider ?? SIGN_IN, 303);
  });
}
