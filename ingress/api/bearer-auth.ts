import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TokenDirectory, TokenScope } from './token-directory';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the request's token may do (set by `requireBearer`). */
    scopes?: readonly TokenScope[];
  }
}

/** The scope a request needs, by method and route: reads need `read`, declaring `declare`, every other write `decide`. */
export function scopeFor(request: Pick<FastifyRequest, 'method' | 'url'>): TokenScope {
  if (request.url.startsWith('/v1/audit/')) return 'admin';
  // The codec only decrypts what the Temporal UI shows (POST because payloads are bodies): a read.
  if (request.method === 'GET' || request.method === 'HEAD' || request.url.startsWith('/codec/')) return 'read';
  if (request.method === 'POST' && request.url.split('?')[0] === '/v1/incidents') return 'declare';
  return 'decide';
}

/**
 * Adds the API's bearer-token check to every route of `scope` (one Fastify plugin): 401 without a known, unexpired
 * token, 403 `auth.scope_required` when the token lacks the route's scope, 403 when `roles` is given and the person
 * holds none of them. Sets `request.actor` and `request.scopes`.
 */
export function requireBearer(scope: FastifyInstance, tokens: TokenDirectory, roles?: readonly string[]): void {
  scope.addHook('onRequest', async (request, reply) => {
    // OPTIONS is a CORS preflight; an actor set by an earlier hook of the scope (the codec's local UI) is already decided.
    if (request.method === 'OPTIONS' || request.actor) return;
    const auth = tokens.authorize(request.headers.authorization);
    if (!auth.ok) {
      const message = auth.code === 'auth.expired' ? 'this API token has expired' : 'a valid API token is required';
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: auth.code, message });
    }
    const needed = scopeFor(request);
    if (!auth.scopes.includes(needed)) return reply.code(403).send({ error: 'auth.scope_required', message: `this API token lacks the ${needed} scope` });
    if (roles && !auth.actor.roles.some((role) => roles.includes(role))) return reply.code(403).send({ error: 'auth.role_required', message: 'this endpoint needs one of the configured roles' });
    request.actor = auth.actor;
    request.scopes = auth.scopes;
  });
}
