import type { KeyObject } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EvidenceStore } from '../../evidence';
import { collectReport, ReportError } from '../../report/collect';
import { reportHtml } from '../../report/html';
import { reportMarkdown } from '../../report/markdown';
import type { Logger } from '../../worker/logging';
import { statusQuery } from '../../workflows/incident/messages';
import type { RunbookCatalog } from '../runbook-catalog';
import { requireBearer } from './bearer-auth';
import type { TokenDirectory } from './token-directory';

export interface ReportRouteDeps {
  client: Client;
  tokens: TokenDirectory;
  catalog: RunbookCatalog;
  auditDir: string;
  publicKey: () => KeyObject;
  evidence: () => Promise<EvidenceStore>;
  log: Logger;
}

const Params = z.object({ a: z.literal('incident'), b: z.string().regex(/^[a-z0-9-]+$/), c: z.string().regex(/^[A-Za-z0-9]+$/) });
const Query = z.object({ format: z.enum(['md', 'html', 'json']).default('md') });

/** `GET /v1/incidents/<id>/report?format=md|html|json`: works after Temporal forgot the incident (see report/collect). */
export function registerReportRoutes(app: FastifyInstance, deps: ReportRouteDeps): void {
  app.register(async (api) => {
    requireBearer(api, deps.tokens);
    api.get('/v1/incidents/:a/:b/:c/report', async (request, reply) => {
      const params = Params.safeParse(request.params);
      const query = Query.safeParse(request.query ?? {});
      if (!params.success || !query.success) return reply.code(400).send({ error: 'request.invalid', issues: (params.error ?? query.error)!.issues.map((i) => ({ path: i.path, message: i.message })) });
      const incidentId = `${params.data.a}/${params.data.b}/${params.data.c}`;
      // Temporal may have deleted a closed incident after retention: the report then comes from the stores alone.
      const status = await deps.client.workflow.getHandle(incidentId).query(statusQuery).catch(() => undefined);
      try {
        const report = await collectReport(incidentId, {
          auditDir: deps.auditDir,
          publicKey: deps.publicKey(),
          evidence: await deps.evidence(),
          status,
          runbook: async (id, version) => {
            const pinned = await deps.catalog.byId(id);
            return pinned?.runbook.version === version ? pinned.runbook : undefined;
          },
        });
        if (query.data.format === 'json') return report;
        if (query.data.format === 'html') return reply.type('text/html; charset=utf-8').send(reportHtml(report));
        return reply.type('text/markdown; charset=utf-8').send(reportMarkdown(report));
      } catch (error) {
        if (error instanceof ReportError) return reply.code(404).send({ error: error.code, message: 'no records of this incident' });
        throw error;
      }
    });
  });
}
