import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EvidenceStore } from '../../evidence';
import { collectReport, ReportError } from '../../report/collect';
import { reportHtml } from '../../report/html';
import { reportMarkdown } from '../../report/markdown';
import type { Logger } from '../../shared/logger';
import type { IncidentClient } from '../incident-client';
import type { RunbookCatalog } from '../runbook-catalog';
import { type ReadGuard, refusalBody } from '../access/read-guard';
import { requireBearer } from './bearer-auth';
import { IncidentParams, incidentIdOf } from './params';
import type { TokenDirectory } from './token-directory';

export interface ReportRouteDeps {
  incidents: Pick<IncidentClient, 'status'>;
  tokens: TokenDirectory;
  catalog: RunbookCatalog;
  auditDir: string;
  publicKey: () => KeyObject;
  evidence: () => Promise<EvidenceStore>;
  log: Logger;
  /** The read policy: a report is a view of the incident. */
  reads: ReadGuard;
}

const Query = z.object({ format: z.enum(['md', 'html', 'json']).default('md') });

/** `GET /v1/incidents/<id>/report?format=md|html|json`: works after Temporal forgot the incident (see report/collect). */
export function registerReportRoutes(app: FastifyInstance, deps: ReportRouteDeps): void {
  app.register(async (api) => {
    requireBearer(api, deps.tokens);
    api.get('/v1/incidents/:a/:b/:c/report', async (request, reply) => {
      const params = IncidentParams.safeParse(request.params);
      const query = Query.safeParse(request.query ?? {});
      if (!params.success || !query.success) return reply.code(400).send({ error: 'request.invalid', issues: (params.error ?? query.error)!.issues.map((i) => ({ path: i.path, message: i.message })) });
      const incidentId = incidentIdOf(params.data);
      // Temporal may have deleted a closed incident after retention: the report then comes from the stores alone.
      const queried = await deps.incidents.status(incidentId);
      const status = queried.ok ? queried.value : undefined;
      const seen = await deps.reads.incident(request.actor!, incidentId, 'incident.report', status);
      if (!seen.allowed) return reply.code(seen.status).send(refusalBody(seen));
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
