import type { FastifyInstance } from 'fastify';
import type { WitnessReport } from '../../audit';
import type { Logger } from '../../shared/logger';
import { type ReadGuard, refusalBody } from '../access/read-guard';
import { requireBearer } from './bearer-auth';
import type { TokenDirectory } from './token-directory';

export interface AuditRouteDeps {
  tokens: TokenDirectory;
  /** Reads every audit head the witness (Temporal history) holds. */
  witness: () => Promise<WitnessReport>;
  log: Logger;
  /** The witness names every incident id: the read policy gives it to those who may take export bundles. */
  reads: ReadGuard;
}

/**
 * `GET /v1/audit/witness`: the heads Temporal recorded for the audit log, for `firebreak audit verify` to check the
 * local log against. 503 `temporal.unavailable` when Temporal cannot be read: a verify must not pass unchecked.
 */
export function registerAuditRoutes(app: FastifyInstance, deps: AuditRouteDeps): void {
  app.register(async (api) => {
    requireBearer(api, deps.tokens);
    api.get('/v1/audit/witness', async (request, reply) => {
      const allowed = await deps.reads.export(request.actor!, 'audit.witness');
      if (!allowed.allowed) return reply.code(allowed.status).send(refusalBody(allowed));
      try {
        return await deps.witness();
      } catch (error) {
        deps.log.warn({ err: error }, 'audit witness unreadable');
        return reply.code(503).header('retry-after', '5').send({ error: 'temporal.unavailable', message: 'Temporal could not be read for the audit witness' });
      }
    });
  });
}
