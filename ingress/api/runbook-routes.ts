import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { pinForRun, runRunbook } from '../run-runbook';
import { decisionError } from './decision-errors';
import type { ApiDeps } from './incident-routes';

const IncidentParams = z.object({ a: z.literal('incident'), b: z.string().regex(/^[a-z0-9-]+$/), c: z.string().regex(/^[A-Za-z0-9]+$/) });
const RunBody = z.object({ runbook: z.string().min(1).max(200), reason: z.string().trim().min(1).max(4000).optional() });

/**
 * `POST /v1/incidents/<id>/runbooks`: run another runbook of the library in an incident under way, as a child of it.
 * The runbook is pinned now; the incident's validator decides who may (incident commander or a role of its runbook).
 */
export function registerRunbookRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      const actor = deps.tokens.authenticate(request.headers.authorization);
      if (!actor) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'auth.missing', message: 'a valid API token is required' });
      request.actor = actor;
    });

    api.post('/v1/incidents/:a/:b/:c/runbooks', async (request, reply) => {
      const params = IncidentParams.safeParse(request.params);
      const body = RunBody.safeParse(request.body ?? {});
      if (!params.success || !body.success) {
        const issues = [...(params.error?.issues ?? []), ...(body.error?.issues ?? [])];
        return reply.code(400).send({ error: 'request.invalid', issues: issues.map((i) => ({ path: i.path, message: i.message })) });
      }
      const { a, b, c } = params.data;
      const incidentId = `${a}/${b}/${c}`;
      const resolved = await pinForRun(deps.catalog, body.data.runbook);
      if (!resolved) return reply.code(400).send({ error: 'runbook.not_found', issues: [{ path: ['runbook'], message: `no runbook ${body.data.runbook}` }] });
      const actor = request.actor!;
      try {
        const started = await runRunbook(deps.client, incidentId, resolved, actor, body.data.reason);
        return reply.code(202).send(started);
      } catch (error) {
        const mapped = decisionError(error);
        if (!mapped) throw error;
        deps.log.warn({ incidentId, runbook: body.data.runbook, actor: actor.id, refusal: mapped.body.error }, 'added runbook refused');
        return reply.code(mapped.status).send(mapped.body);
      }
    });
  });
}
