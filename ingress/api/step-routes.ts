import type { FastifyInstance } from 'fastify';
import { requireBearer } from './bearer-auth';
import type { ApiDeps } from './incident-routes';
import { ClockParams, IncidentParams, StepParams, bodyOf, incidentIdOf, parseParams, sendOutcome } from './params';

/**
 * Decisions about a run under way, each an Update, so a refusal is answered at once and never recorded:
 * - `POST /v1/incidents/<id>/steps/<step>/resolve` `{ choice, reason }`: an action that failed under `onFailure: escalate`.
 * - `POST /v1/incidents/<id>/clocks/<clock>/stop` `{ reason }`: a person ends a reporting duty without a notice ("not
 *   notifiable: risk assessment attached"); an accepted stop is on the timeline with the person and the reason.
 * - `POST /v1/incidents/<id>/runbooks` `{ runbook, reason? }`: run another runbook of the library beside the
 *   incident's own, pinned now (202).
 */
export function registerStepRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { incidents } = deps;
  app.register(async (api) => {
    requireBearer(api, deps.tokens);

    api.post('/v1/incidents/:a/:b/:c/steps/:step/resolve', async (request, reply) => {
      const params = parseParams(StepParams, request.params, reply);
      if (!params) return reply;
      const body = bodyOf(request.body);
      return sendOutcome(reply, await incidents.resolve({ incidentId: incidentIdOf(params), stepId: params.step, choice: body.choice as never, reason: body.reason as string, actor: request.actor! }));
    });

    api.post('/v1/incidents/:a/:b/:c/clocks/:clock/stop', async (request, reply) => {
      const params = parseParams(ClockParams, request.params, reply);
      if (!params) return reply;
      return sendOutcome(reply, await incidents.stopClock({ incidentId: incidentIdOf(params), clockId: params.clock, reason: bodyOf(request.body).reason as string, actor: request.actor! }));
    });

    api.post('/v1/incidents/:a/:b/:c/runbooks', async (request, reply) => {
      const params = parseParams(IncidentParams, request.params, reply);
      if (!params) return reply;
      const body = bodyOf(request.body);
      if (typeof body.runbook !== 'string' || body.runbook.length === 0 || body.runbook.length > 200) {
        return reply.code(400).send({ error: 'request.invalid', issues: [{ path: ['runbook'], message: 'a runbook id is required' }] });
      }
      const reason = body.reason === undefined ? undefined : String(body.reason);
      return sendOutcome(reply, await incidents.runRunbook({ incidentId: incidentIdOf(params), runbook: body.runbook, reason, actor: request.actor! }), 202);
    });
  });
}
