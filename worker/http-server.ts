import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AuditWriter } from '../audit';
import { alertDeliveryAudit } from '../ingress/alert-audit';
import { registerClockMetrics } from '../ingress/api/clock-metrics';
import { registerStepMetrics } from '../ingress/api/step-metrics';
import { type CodecRouteDeps, registerCodecRoutes } from '../ingress/api/codec-routes';
import { type EvidenceRouteDeps, registerEvidenceRoutes } from '../ingress/api/evidence-routes';
import { type ApiDeps, registerIncidentRoutes } from '../ingress/api/incident-routes';
import type { SlackIngress } from '../ingress/slack/slack-app';
import { type ReportRouteDeps, registerReportRoutes } from '../ingress/api/report-routes';
import { registerStepRoutes } from '../ingress/api/step-routes';
import { registerSourceRoutes } from '../ingress/api/source-routes';
import type { AlertIntakeDeps, ConfiguredSource } from '../ingress/webhooks/alert-intake';
import { registerAlertRoute } from '../ingress/webhooks/alert-route';
import { registerAuditRoutes } from '../ingress/api/audit-routes';
import { registerAuditMetrics } from './audit-metrics';
import { registerHealthRoute } from './health-route';
import { readTemporalWitness } from './temporal-witness';
import type { Logger } from './logging';
import type { Metrics } from './metrics';
import { traceRequests } from './tracing';

export interface HttpServerDeps {
  client: Client;
  namespace: string;
  taskQueue: string;
  sources: ReadonlyMap<string, ConfiguredSource>;
  intake: AlertIntakeDeps;
  api: ApiDeps;
  metrics: Metrics;
  log: Logger;
  bodyLimitBytes: number;
  /** In the all-in-one process, the local worker's own state; elsewhere the task queue's pollers decide. */
  localWorkerRunning?: () => boolean;
  /** Slack's request endpoint (HTTP mode) or socket (Socket Mode); absent without Slack. */
  slack?: SlackIngress;
  /** Alert deliveries, accepted and refused, are audited through this. */
  audit?: AuditWriter;
  /** The audit log's folder, for the checkpoint-age gauges. */
  auditDir?: string;
  evidence?: EvidenceRouteDeps;
  codec?: CodecRouteDeps;
  report?: ReportRouteDeps;
}

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

/** One HTTP server for the alert ingress, the HTTP API, health and metrics. Bodies are kept as raw bytes for signatures. */
export function createHttpServer(deps: HttpServerDeps): FastifyInstance {
  const app = Fastify({ bodyLimit: deps.bodyLimitBytes, logger: false, trustProxy: false, return503OnClosing: true });
  traceRequests(app);

  app.removeAllContentTypeParsers();
  // Every body is read as bytes first: webhook signatures cover the exact bytes, and re-serialised JSON would not verify.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' || request.url.startsWith('/v1/alerts/')) return done(null, undefined);
    try {
      done(null, (body as Buffer).length === 0 ? undefined : JSON.parse((body as Buffer).toString('utf8')));
    } catch {
      const error = Object.assign(new Error('request body is not valid JSON'), { statusCode: 400, code: 'request.invalid_json' });
      done(error, undefined);
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) deps.log.error({ err: error, url: request.url }, 'request failed');
    const code = status === 413 ? 'request.too_large' : status === 415 ? 'request.unsupported_media_type' : status === 500 ? 'internal' : (error.code ?? 'request.invalid');
    void reply.code(status).send({ error: code, message: status === 500 ? 'internal error' : error.message });
  });

  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.apiRequests.inc({ route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
  });
  if (deps.audit) app.addHook('onSend', alertDeliveryAudit(deps.audit));

  registerHealthRoute(app, deps);

  const incidents = registerClockMetrics(deps.metrics.registry, { client: deps.client, taskQueue: deps.taskQueue });
  registerStepMetrics(deps.metrics.registry, incidents.runningStatuses);
  if (deps.auditDir) registerAuditMetrics(deps.metrics.registry, deps.auditDir);
  app.get('/metrics', async (_request, reply) => reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()));

  registerAlertRoute(app, { sources: deps.sources, intake: deps.intake, deliveries: deps.metrics.alertDeliveries, log: deps.log });
  registerIncidentRoutes(app, deps.api);
  deps.slack?.mount(app);
  registerStepRoutes(app, deps.api);
  registerSourceRoutes(app, { sources: deps.sources, tokens: deps.api.tokens });
  registerAuditRoutes(app, { tokens: deps.api.tokens, reads: deps.api.reads, witness: () => readTemporalWitness(deps.client, deps.taskQueue), log: deps.log });
  if (deps.evidence) registerEvidenceRoutes(app, deps.evidence);
  if (deps.codec) registerCodecRoutes(app, deps.codec);
  if (deps.report) registerReportRoutes(app, deps.report);
  return app;
}
