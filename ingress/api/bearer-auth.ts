import type { FastifyInstance } from 'fastify';
import type { TokenDirectory } from './token-directory';

/**
 * Adds the API's bearer-token check to every route of `scope` (one Fastify plugin): 401 without a known token, 403
 * when `roles` is given and the person holds none of them. Sets `request.actor`.
 */
export function requireBearer(scope: FastifyInstance, tokens: TokenDirectory, roles?: readonly string[]): void {
  scope.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') return;
    const actor = tokens.authenticate(request.headers.authorization);
    if (!actor) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'auth.missing', message: 'a valid API token is required' });
    if (roles && !actor.roles.some((role) => roles.includes(role))) return reply.code(403).send({ error: 'auth.role_required', message: 'this endpoint needs one of the configured roles' });
    request.actor = actor;
  });
}
