import type { FastifyInstance } from 'fastify';
import type { Counter } from 'prom-client';
import type { Logger } from '../../shared/logger';
import { alertAnswers } from '../alert-audit';
import { type AlertIntakeDeps, type ConfiguredSource, type IntakeOutcome, takeDelivery } from './alert-intake';

export interface AlertRouteDeps {
  sources: ReadonlyMap<string, ConfiguredSource>;
  intake: AlertIntakeDeps;
  deliveries: Counter<'source' | 'outcome'>;
  log: Logger;
}

/** Label for deliveries to a name no source has: a fixed value, so a scanner can't grow the metric's label set. */
export const UNKNOWN_SOURCE_LABEL = '(unknown)';

/** Refusals raised by the HTTP layer before the handler runs (body too large, unparseable framing). */
function outcomeOfHttpError(status: number): { outcome: IntakeOutcome; code: string } {
  if (status === 413) return { outcome: 'too_large', code: 'request.too_large' };
  if (status === 415) return { outcome: 'unsupported_media_type', code: 'request.unsupported_media_type' };
  return { outcome: 'invalid', code: 'request.invalid' };
}

/**
 * `POST /v1/alerts/:source`. Every answer, including those fastify gives before the handler runs (413 from the body
 * limit, checked against Content-Length before the body is read and while a chunked body streams), is counted in
 * `firebreak_alert_deliveries_total{source,outcome}` and logged once, with ids and codes, never the body or headers.
 */
export function registerAlertRoute(app: FastifyInstance, deps: AlertRouteDeps): void {
  const record = (source: string, outcome: IntakeOutcome, status: number, fields: Record<string, unknown>): void => {
    deps.deliveries.inc({ source, outcome });
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    deps.log[level]({ source, outcome, status, ...fields }, 'alert delivery');
  };
  const sourceLabel = (name: string): string => (deps.sources.has(name) ? name : UNKNOWN_SOURCE_LABEL);

  void app.register(async (scope) => {
    scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) deps.log.error({ err: error, url: request.routeOptions.url }, 'alert route failed');
      const { outcome, code } = status === 500 ? { outcome: 'internal_error' as const, code: 'internal' } : outcomeOfHttpError(status);
      record(sourceLabel((request.params as { source?: string }).source ?? ''), outcome, status, { code });
      void reply.code(status).send({ error: code });
    });

    scope.post('/v1/alerts/:source', async (request, reply) => {
      const name = (request.params as { source: string }).source;
      const source = deps.sources.get(name);
      if (!source) {
        record(UNKNOWN_SOURCE_LABEL, 'unknown_source', 404, { code: 'source.unknown' });
        return reply.code(404).send({ error: 'source.unknown', message: 'no alert source by that name' });
      }
      const headers: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(request.headers)) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      const response = await takeDelivery(source, { headers, rawBody: request.rawBody ?? Buffer.alloc(0), receivedAt: new Date() }, deps.intake);
      record(name, response.outcome, response.status, { deliveryId: response.deliveryId, code: response.body.error });
      alertAnswers.set(request, response.body);
      return reply.code(response.status).headers(response.headers ?? {}).send(response.body);
    });
  });
}
