import { randomUUID } from 'node:crypto';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuditWriter } from '../../audit';
import { Severity } from '../../runbooks/schema/alert';
import type { Logger } from '../../worker/logging';
import { type Actor, abortUpdate, answerUpdate, decideUpdate, statusQuery } from '../../workflows/incident/messages';

import type { IncidentStarter } from '../incident-starter';
import type { RunbookCatalog } from '../runbook-catalog';
import { decisionError } from './decision-errors';
import type { TokenDirectory } from './token-directory';

export interface ApiDeps {
  client: Client;
  /** This deployment's task queue: the namespace may hold other deployments' incidents. */
  taskQueue: string;
  starter: IncidentStarter;
  catalog: RunbookCatalog;
  tokens: TokenDirectory;
  log: Logger;
  /** Records refused decisions (who, which step, the refusal code and the reason they gave). */
  audit?: AuditWriter;
}

const IncidentParams = z.object({ a: z.literal('incident'), b: z.string().regex(/^[a-z0-9-]+$/), c: z.string().regex(/^[A-Za-z0-9]+$/) });
const StepParams = IncidentParams.extend({ step: z.string().regex(/^[a-z][a-z0-9-]*$/) });
const ReasonBody = z.object({ reason: z.string().trim().min(1, 'a reason is required').max(4000) });
/** A decision names the SHA-256 of the draft the decider was shown (from the incident status), if the step has one. */
const DecisionBody = ReasonBody.extend({ draftSha256: z.string().regex(/^[0-9a-f]{64}$/).optional() });
const AnswerBody = z.object({ value: z.union([z.string(), z.number(), z.boolean()]) });
const DeclareBody = z.object({ title: z.string().trim().min(1).max(500), severity: Severity.default('high'), runbook: z.string().min(1), description: z.string().max(20_000).optional() });

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

function badRequest(reply: FastifyReply, error: z.ZodError) {
  return reply.code(400).send({ error: 'request.invalid', issues: error.issues.map((i) => ({ path: i.path, message: i.message })) });
}

function parse<T>(schema: z.ZodType<T>, value: unknown, reply: FastifyReply): T | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  void badRequest(reply, parsed.error);
  return undefined;
}

const incidentIdOf = (p: { a: string; b: string; c: string }): string => `${p.a}/${p.b}/${p.c}`;

async function summary(client: Client, info: WorkflowExecutionInfo) {
  const base = { id: info.workflowId, temporalStatus: info.status.name, startedAt: info.startTime.toISOString(), closedAt: info.closeTime?.toISOString() };
  try {
    // One incident whose worker is gone must not stall the whole list: each summary gets two seconds.
    const s = await client.connection.withDeadline(Date.now() + 2_000, () => client.workflow.getHandle(info.workflowId, info.runId).query(statusQuery));
    const waiting = s.steps.filter((step) => step.state === 'waiting' || step.state === 'blocked').map((step) => step.id);
    return { ...base, title: s.title, severity: s.severity, phase: s.phase, runbook: `${s.runbook.id}@${s.runbook.version}`, waitingOn: waiting, alerts: s.alerts.count };
  } catch {
    return base;
  }
}

/** The HTTP API: every route needs a bearer token; decisions are Updates whose validators give the refusal reason. */
export function registerIncidentRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      const actor = deps.tokens.authenticate(request.headers.authorization);
      if (!actor) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'auth.missing', message: 'a valid API token is required' });
      request.actor = actor;
    });

    api.get('/v1/runbooks', async () => ({
      runbooks: (await deps.catalog.runbooks()).map((p) => ({ id: p.runbook.id, version: p.runbook.version, title: p.runbook.title, sha256: p.sha256 })),
    }));

    api.get('/v1/incidents', async () => {
      const incidents = [];
      for await (const info of deps.client.workflow.list({ query: `WorkflowType = 'incidentWorkflow' AND TaskQueue = '${deps.taskQueue}'`, pageSize: 100 })) {
        incidents.push(info);
        if (incidents.length >= 100) break;
      }
      return { incidents: await Promise.all(incidents.map((info) => summary(deps.client, info))) };
    });

    api.get('/v1/incidents/:a/:b/:c', async (request, reply) => {
      const params = parse(IncidentParams, request.params, reply);
      if (!params) return reply;
      try {
        return await deps.client.workflow.getHandle(incidentIdOf(params)).query(statusQuery);
      } catch (error) {
        const mapped = decisionError(error);
        if (mapped) return reply.code(mapped.status).send(mapped.body);
        // A query needs a worker for the incident's task queue: without one, say so and let the caller retry.
        deps.log.warn({ incidentId: incidentIdOf(params), err: error }, 'status query failed');
        return reply.code(503).header('retry-after', '5').send({ error: 'incident.status_unavailable', message: 'no worker answered the status query; retry later' });
      }
    });

    api.post('/v1/incidents', async (request, reply) => {
      const body = parse(DeclareBody, request.body, reply);
      if (!body) return reply;
      const pinned = await deps.catalog.byId(body.runbook);
      if (!pinned) return reply.code(400).send({ error: 'runbook.not_found', issues: [{ path: ['runbook'], message: `no runbook ${body.runbook}` }] });
      const started = await deps.starter.declare({ ...body, by: request.actor!, at: new Date().toISOString() }, pinned);
      return reply.code(201).send(started);
    });

    const decide = (decision: 'approve' | 'reject') => async (request: FastifyRequest, reply: FastifyReply) => {
      const params = parse(StepParams, request.params, reply);
      const body = params && parse(DecisionBody, request.body, reply);
      if (!params || !body) return reply;
      const actor = request.actor!;
      try {
        const outcome = await deps.client.workflow.getHandle(incidentIdOf(params)).executeUpdate(decideUpdate, {
          // Same person, same step, same decision: the server answers a double submit with the first result.
          updateId: `${params.step}/${actor.id}/${decision}`,
          args: [{ stepId: params.step, decision, reason: body.reason, actor, at: new Date().toISOString(), draftSha256: body.draftSha256 }],
        });
        return outcome;
      } catch (error) {
        const mapped = decisionError(error);
        if (!mapped) throw error;
        deps.log.warn({ incidentId: incidentIdOf(params), stepId: params.step, actor: actor.id, refusal: mapped.body.error }, 'decision refused');
        if (mapped.status === 403 || mapped.status === 409) await deps.audit?.record({
          key: `api/decision-refused/${randomUUID()}`,
          actor: { kind: 'person', id: actor.id },
          action: 'decision.refused',
          incidentId: incidentIdOf(params),
          subject: params.step,
          data: { decision, refusal: mapped.body.error, status: mapped.status, roles: actor.roles, reason: body.reason },
        });
        return reply.code(mapped.status).send(mapped.body);
      }
    };
    api.post('/v1/incidents/:a/:b/:c/steps/:step/approve', decide('approve'));
    api.post('/v1/incidents/:a/:b/:c/steps/:step/reject', decide('reject'));

    api.post('/v1/incidents/:a/:b/:c/steps/:step/answer', async (request, reply) => {
      const params = parse(StepParams, request.params, reply);
      const body = params && parse(AnswerBody, request.body, reply);
      if (!params || !body) return reply;
      try {
        return await deps.client.workflow.getHandle(incidentIdOf(params)).executeUpdate(answerUpdate, {
          args: [{ stepId: params.step, value: body.value, actor: request.actor!, at: new Date().toISOString() }],
        });
      } catch (error) {
        const mapped = decisionError(error);
        if (!mapped) throw error;
        return reply.code(mapped.status).send(mapped.body);
      }
    });

    api.post('/v1/incidents/:a/:b/:c/abort', async (request, reply) => {
      const params = parse(IncidentParams, request.params, reply);
      const body = params && parse(ReasonBody, request.body, reply);
      if (!params || !body) return reply;
      try {
        return await deps.client.workflow.getHandle(incidentIdOf(params)).executeUpdate(abortUpdate, {
          args: [{ reason: body.reason, actor: request.actor!, at: new Date().toISOString() }],
        });
      } catch (error) {
        const mapped = decisionError(error);
        if (!mapped) throw error;
        return reply.code(mapped.status).send(mapped.body);
      }
    });
  });
}

