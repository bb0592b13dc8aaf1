import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { stopClockUpdate } from '../../workflows/incident/messages';
import { requireBearer } from './bearer-auth';
import { decisionError } from './decision-errors';
import type { ApiDeps } from './incident-routes';

const ClockParams = z.object({
  a: z.literal('incident'),
  b: z.string().regex(/^[a-z0-9-]+$/),
  c: z.string().regex(/^[A-Za-z0-9]+$/),
  clock: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
});
const StopBody = z.object({ reason: z.string().trim().min(1, 'a reason is required').max(4000) });

/**
 * `POST /v1/incidents/<id>/clocks/<clock>/stop`: a person ends a reporting duty without a notice ("not notifiable:
 * risk assessment attached"). An Update like every decision: a refusal (no disclosure role, clock not running) is
 * answered at once and never recorded; an accepted stop is on the timeline with the person and the reason.
 */
export function registerClockRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.register(async (api) => {
    requireBearer(api, deps.tokens);
    api.post('/v1/incidents/:a/:b/:c/clocks/:clock/stop', async (request, reply) => {
      const params = ClockParams.safeParse(request.params);
      const body = StopBody.safeParse(request.body ?? {});
      if (!params.success || !body.success) {
        const issues = [...(params.error?.issues ?? []), ...(body.error?.issues ?? [])];
        return reply.code(400).send({ error: 'request.invalid', issues: issues.map((i) => ({ path: i.path, message: i.message })) });
      }
      const { a, b, c, clock } = params.data;
      const incidentId = `${a}/${b}/${c}`;
      const actor = request.actor!;
      try {
        return await deps.client.workflow.getHandle(incidentId).executeUpdate(stopClockUpdate, {
          args: [{ clockId: clock, reason: body.data.reason, actor, at: new Date().toISOString() }],
        });
      } catch (error) {
        const mapped = decisionError(error);
        if (!mapped) throw error;
        deps.log.warn({ incidentId, clockId: clock, actor: actor.id, refusal: mapped.body.error }, 'clock stop refused');
        return reply.code(mapped.status).send(mapped.body);
      }
    });
  });
}
