import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Outcome } from '../incident-problem';

/** `/v1/incidents/:a/:b/:c`: an incident id is three path segments (`incident/<source>/<id>`). */
export const IncidentParams = z.object({ a: z.literal('incident'), b: z.string().regex(/^[a-z0-9-]+$/), c: z.string().regex(/^[A-Za-z0-9]+$/) });
// A step id, or `labels.<name>`: the question for a label a runbook requires and its incident lacks.
export const StepParams = IncidentParams.extend({ step: z.string().regex(/^[a-z][a-z0-9-]*$|^labels\.[A-Za-z_][A-Za-z0-9_]{0,63}$/) });
export const ClockParams = IncidentParams.extend({ clock: z.string().regex(/^[a-z0-9][a-z0-9-]*$/) });

/** `GET /v1/incidents?cursor=&limit=&running=`: one page of incidents. */
export const ListQuery = z.object({
  cursor: z.string().max(4096).regex(/^[A-Za-z0-9_-]+$/, 'a cursor is the `next` of the previous page').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  running: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

export const incidentIdOf = (p: { a: string; b: string; c: string }): string => `${p.a}/${p.b}/${p.c}`;

/** Parses the route params; answers 400 `request.invalid` with every issue and resolves to undefined when they are bad. */
export function parseParams<T>(schema: z.ZodType<T>, value: unknown, reply: FastifyReply): T | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  void reply.code(400).send({ error: 'request.invalid', issues: parsed.error.issues.map((i) => ({ path: i.path, message: i.message })) });
  return undefined;
}

/** The body of a request as an object the incident client parses (its schemas name the bad fields). */
export const bodyOf = (body: unknown): Record<string, unknown> => (body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {});

/**
 * Sends an incident-client outcome: the value with `okStatus`, or the problem as `{ error, message, issues? }` with
 * its status (503 with Retry-After, so callers retry an outage).
 */
export function sendOutcome<T>(reply: FastifyReply, outcome: Outcome<T>, okStatus = 200): FastifyReply {
  if (outcome.ok) return reply.code(okStatus).send(outcome.value);
  const { code, message, status, issues } = outcome.problem;
  if (status === 503) void reply.header('retry-after', '5');
  return reply.code(status).send({ error: code, message, ...(issues ? { issues } : {}) });
}
