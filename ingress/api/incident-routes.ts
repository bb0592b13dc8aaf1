import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../shared/logger';
import type { Actor } from '../../workflows/incident/messages';
import type { IncidentClient } from '../incident-client';
import type { RunbookCatalog } from '../runbook-catalog';
import { type ReadGuard, refusalBody } from '../access/read-guard';
import { requireBearer } from './bearer-auth';
import { IncidentParams, ListQuery, StepParams, bodyOf, incidentIdOf, parseParams, sendOutcome } from './params';
import type { TokenDirectory } from './token-directory';

export interface ApiDeps {
  incidents: IncidentClient;
  catalog: RunbookCatalog;
  tokens: TokenDirectory;
  log: Logger;
  /** The read policy: who may see which incident (ingress/access). */
  reads: ReadGuard;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

/** The HTTP API: every route needs a bearer token; each is a thin adapter over the incident client. */
export function registerIncidentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { incidents } = deps;
  app.register(async (api) => {
    requireBearer(api, deps.tokens);

    api.get('/v1/runbooks', async () => ({
      runbooks: (await deps.catalog.runbooks()).map((p) => ({ id: p.runbook.id, version: p.runbook.version, title: p.runbook.title, sha256: p.sha256 })),
    }));

    api.get('/v1/incidents', async (request, reply) => {
      const query = parseParams(ListQuery, request.query, reply);
      if (!query) return reply;
      const page = await incidents.page(query);
      if (!page.ok) return sendOutcome(reply, page);
      // Rows the caller may not see are left out (a page may then hold fewer than `limit`; `next` still pages on).
      const { people, ...body } = page.value;
      return sendOutcome(reply, { ok: true, value: { ...body, incidents: await deps.reads.visible(request.actor!, body.incidents, people) } });
    });

    api.get('/v1/incidents/:a/:b/:c', async (request, reply) => {
      const params = parseParams(IncidentParams, request.params, reply);
      if (!params) return reply;
      const status = await incidents.status(incidentIdOf(params));
      // A query needs a worker for the incident's task queue: without one, say so and let the caller retry.
      if (!status.ok && status.problem.status >= 500) {
        return reply.code(503).header('retry-after', '5').send({ error: 'incident.status_unavailable', message: 'no worker answered the status query; retry later' });
      }
      if (status.ok) {
        const seen = await deps.reads.incident(request.actor!, status.value.incidentId, 'incident.status', status.value);
        if (!seen.allowed) return reply.code(seen.status).send(refusalBody(seen));
      }
      return sendOutcome(reply, status);
    });

    api.post('/v1/incidents', async (request, reply) => {
      const body = bodyOf(request.body);
      const started = await incidents.start({ title: body.title as string, severity: body.severity as never, runbook: body.runbook as string, description: body.description as string | undefined, labels: body.labels as Record<string, string> | undefined, by: request.actor! });
      return sendOutcome(reply, started, 201);
    });

    const decide = (decision: 'approve' | 'reject') => async (request: FastifyRequest, reply: FastifyReply) => {
      const params = parseParams(StepParams, request.params, reply);
      if (!params) return reply;
      const body = bodyOf(request.body);
      // A decision names the SHA-256 of the draft the decider was shown (from the incident status), if the step has one.
      const input = { incidentId: incidentIdOf(params), stepId: params.step, reason: body.reason as string, draftSha256: body.draftSha256 as string | undefined, override: body.override as boolean | undefined, actor: request.actor! };
      return sendOutcome(reply, await incidents[decision](input));
    };
    api.post('/v1/incidents/:a/:b/:c/steps/:step/approve', decide('approve'));
    api.post('/v1/incidents/:a/:b/:c/steps/:step/reject', decide('reject'));

    api.post('/v1/incidents/:a/:b/:c/steps/:step/answer', async (request, reply) => {
      const params = parseParams(StepParams, request.params, reply);
      if (!params) return reply;
      const body = bodyOf(request.body);
      const answer = await incidents.answer({ incidentId: incidentIdOf(params), stepId: params.step, value: body.value as string, override: body.override as boolean | undefined, reason: body.reason as string | undefined, actor: request.actor! });
      return sendOutcome(reply, answer);
    });

    api.post('/v1/incidents/:a/:b/:c/abort', async (request, reply) => {
      const params = parseParams(IncidentParams, request.params, reply);
      if (!params) return reply;
      return sendOutcome(reply, await incidents.abort({ incidentId: incidentIdOf(params), reason: bodyOf(request.body).reason as string, actor: request.actor! }));
    });
  });
}
