import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { resolveStepUpdate } from '../../workflows/incident/messages';
import { decisionError } from './decision-errors';
import type { ApiDeps } from './incident-routes';

const StepParams = z.object({
  a: z.literal('incident'),
  b: z.string().regex(/^[a-z0-9-]+$/),
  c: z.string().regex(/^[A-Za-z0-9]+$/),
  step: z.string().regex(/^[a-z][a-z0-9-]*$/),
});
const ResolveBody = z.object({ choice: z.enum(['retry', 'continue', 'abort']), reason: z.string().trim().min(1, 'a reason is required').max(4000) });

/**
 * `POST /v1/incidents/<id>/steps/<step>/resolve`: what to do with an action that failed under `onFailure: escalate`.
 * Like every decision it is an Update, so a refusal (no role, step not blocked) is answered at once and never recorded.
 */
export function registerStepRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      const actor = deps.tokens.authenticate(request.headers.authorization);
      if (!actor) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'auth.missing', message: 'a valid API token is required' });
      request.actor = actor;
    });

    api.post('/v1/incidents/:a/:b/:c/steps/:step/resolve', async (request, reply) => {
      const params = StepParams.safeParse(request.params);
      const body = ResolveBody.safeParse(request.body ?? {});
      if (!params.success || !body.success) {
        const issues = [...(params.error?.issues ?? []), ...(body.error?.issues ?? [])];
        return reply.code(400).send({ error: 'request.invalid', issues: issues.map((i) => ({ path: i.path, message: i.message })) });
      }
      const { a, b, c, step } = params.data;
      const incidentId = `${a}/${b}/${c}`;
      const actor = request.actor!;
      try {
        return await deps.client.workflow.getHandle(incidentId).executeUpdate(resolveStepUpdate, {
          args: [{ stepId: step, choice: body.data.choice, reason: body.data.reason, actor, at: new Date().toISOString() }],
        });
      } catch (error) {
        const mapped = decisionError(error);
        if (!mapped) throw error;
        deps.log.warn({ incidentId, stepId: step, actor: actor.id, refusal: mapped.body.error }, 'step resolution refused');
        return reply.code(mapped.status).send(mapped.body);
      }
    });
  });
}
