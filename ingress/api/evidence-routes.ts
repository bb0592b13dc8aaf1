import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { EvidenceError, type EvidenceStore } from '../../evidence';
import type { Logger } from '../../shared/logger';
import { type ReadGuard, refusalBody } from '../access/read-guard';
import { requireBearer } from './bearer-auth';
import type { TokenDirectory } from './token-directory';
import { IncidentParams, incidentIdOf } from './params';

export interface EvidenceRouteDeps {
  store: () => Promise<EvidenceStore>;
  tokens: TokenDirectory;
  log: Logger;
  /** Largest upload in bytes; enforced while streaming, so a large file is never held in memory. */
  maxUploadBytes: number;
  /** The read policy; set by the HTTP server, which owns the incident client it needs. */
  reads?: ReadGuard;
}

const EvidenceParams = z.object({ id: z.string().regex(/^ev-[0-9a-f]{32}$/) });
const UploadQuery = z.object({ name: z.string().trim().min(1).max(256), note: z.string().max(4096).optional(), source: z.string().min(1).max(2048).optional() });
const PurposeQuery = z.object({ purpose: z.string().trim().min(1).max(2048) });
const HandOverBody = z.object({ to: z.string().trim().min(1).max(512), reason: z.string().trim().min(1).max(2048) });
const IdempotencyKey = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/);

const STATUS: Record<string, number> = { 'evidence.not_found': 404, 'evidence.too_large': 413, 'evidence.invalid_meta': 400, 'evidence.tampered': 409 };

function invalid(reply: FastifyReply, error: z.ZodError) {
  return reply.code(400).send({ error: 'request.invalid', issues: error.issues.map((i) => ({ path: i.path, message: i.message })) });
}

/**
 * The evidence API: upload (streamed to the content-addressed store), list with custody, download (re-verified,
 * recorded as `exported`, refused with `evidence.tampered` when the bytes changed on disk) and hand-over. Every route
 * needs a person's bearer token; custody events name that person.
 */
export function registerEvidenceRoutes(app: FastifyInstance, deps: EvidenceRouteDeps): void {
  const guard = (): ReadGuard => {
    if (!deps.reads) throw new Error('evidence routes need the read policy');
    return deps.reads;
  };
  app.register(async (api) => {
    requireBearer(api, deps.tokens);
    api.setErrorHandler((error, _request, reply) => {
      if (error instanceof EvidenceError) {
        if (error.code === 'evidence.tampered') deps.log.error({ evidenceId: error.details.evidenceId, code: error.code }, 'evidence tampered: stored bytes no longer match their hash');
        return reply.code(STATUS[error.code] ?? 500).send({ error: error.code, message: error.message });
      }
      // Request errors (malformed JSON, too large, wrong media type) are answered by the server's handler, as on every route.
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== undefined && status >= 400 && status < 500) throw error;
      deps.log.error({ err: error }, 'evidence request failed');
      return reply.code(500).send({ error: 'internal', message: 'internal error' });
    });

    api.register(async (upload) => {
      // Uploads stay a stream: no parser reads the body, the store hashes it on its way to disk.
      upload.removeAllContentTypeParsers();
      upload.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
      upload.post('/v1/incidents/:a/:b/:c/evidence', async (request, reply) => {
        const params = IncidentParams.safeParse(request.params);
        const query = UploadQuery.safeParse(request.query ?? {});
        const key = IdempotencyKey.optional().safeParse(request.headers['idempotency-key']);
        if (!params.success) return invalid(reply, params.error);
        if (!query.success) return invalid(reply, query.error);
        if (!key.success) return invalid(reply, key.error);
        const declared = Number(request.headers['content-length'] ?? 0);
        if (declared > deps.maxUploadBytes) return reply.code(413).send({ error: 'evidence.too_large', message: 'evidence exceeds the size limit' });
        const incidentId = incidentIdOf(params.data);
        const actor = request.actor!;
        const seen = await guard().incident(actor, incidentId, 'evidence.upload');
        if (!seen.allowed) return reply.code(seen.status).send(refusalBody(seen));
        const item = await (await deps.store()).put(request.raw, {
          key: `api/${incidentId}/${actor.id}/${key.data ?? randomUUID()}`,
          incidentId,
          name: query.data.name,
          note: query.data.note,
          mediaType: (request.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim() || 'application/octet-stream',
          source: query.data.source ?? `upload by ${actor.id}`,
          method: 'http upload (firebreak evidence add)',
          collectedBy: { kind: 'person', id: actor.id },
        });
        return reply.code(201).send(item);
      });
    });

    api.get('/v1/incidents/:a/:b/:c/evidence', async (request, reply) => {
      const params = IncidentParams.safeParse(request.params);
      if (!params.success) return invalid(reply, params.error);
      const incidentId = incidentIdOf(params.data);
      const seen = await guard().incident(request.actor!, incidentId, 'evidence.list');
      if (!seen.allowed) return reply.code(seen.status).send(refusalBody(seen));
      const store = await deps.store();
      const items = await store.listEvidence(incidentId);
      return { items: await Promise.all(items.map(async (item) => ({ ...item, custody: await store.custody(item.evidenceId) }))) };
    });

    api.get('/v1/evidence/:id', async (request, reply) => {
      const params = EvidenceParams.safeParse(request.params);
      if (!params.success) return invalid(reply, params.error);
      const store = await deps.store();
      const item = await store.get(params.data.id);
      const seen = await guard().incident(request.actor!, item.incidentId, 'evidence.metadata');
      if (!seen.allowed) return reply.code(seen.status).send(refusalBody(seen));
      return { ...item, custody: await store.custody(params.data.id) };
    });

    api.get('/v1/evidence/:id/content', async (request, reply) => {
      const params = EvidenceParams.safeParse(request.params);
      const query = PurposeQuery.safeParse(request.query ?? {});
      if (!params.success) return invalid(reply, params.error);
      if (!query.success) return invalid(reply, query.error);
      const store = await deps.store();
      const item = await store.get(params.data.id);
      const handler = await guard().evidenceContent(request.actor!, item.incidentId, 'evidence.content');
      if (!handler.allowed) return reply.code(handler.status).send(refusalBody(handler));
      const bytes = await store.open(item.evidenceId, { kind: 'person', id: request.actor!.id }, query.data.purpose, { event: 'exported' });
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(item.size))
        .header('x-evidence-sha256', item.sha256)
        .header('content-disposition', `attachment; filename="${item.evidenceId}"`)
        .send(bytes);
    });

    api.post('/v1/evidence/:id/hand-over', async (request, reply) => {
      const params = EvidenceParams.safeParse(request.params);
      if (!params.success) return invalid(reply, params.error);
      const body = HandOverBody.safeParse(request.body ?? {});
      if (!body.success) return invalid(reply, body.error);
      const store = await deps.store();
      const handler = await guard().evidenceContent(request.actor!, (await store.get(params.data.id)).incidentId, 'evidence.hand-over');
      if (!handler.allowed) return reply.code(handler.status).send(refusalBody(handler));
      const event = await store.handOver(params.data.id, { kind: 'person', id: request.actor!.id }, body.data);
      return reply.code(201).send(event);
    });
  });
}
