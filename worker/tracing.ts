import { type Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import type { FastifyInstance } from 'fastify';

/*
 * OpenTelemetry traces across one alert's path: the HTTP request, the Temporal client call it makes, the workflow, and
 * each activity (the SDK's interceptors carry the context in Temporal headers), exported over OTLP/HTTP. Off unless an
 * OTLP endpoint is configured with the standard variables (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_EXPORTER_OTLP_HEADERS for a collector's credentials), so nothing is sent
 * anywhere by default. Spans carry names, ids and routes, never payloads: Temporal payloads stay encrypted.
 */

export interface Tracing {
  plugin: OpenTelemetryPlugin;
  /** Flushes what is queued; call before the process exits. */
  shutdown(): Promise<void>;
}

let installed: Tracing | undefined;

/** Sets up tracing for this process once, when configured; later calls return the same (or undefined). */
export function installTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (installed || !(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) return installed;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME ?? serviceName });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 1000 });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Async-local context: the request's span is still current when the route awaits its way to the Temporal client.
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  installed = {
    plugin: new OpenTelemetryPlugin({ resource, spanProcessor }),
    shutdown: () => provider.shutdown(),
  };
  return installed;
}

/** Flushes the spans still queued (a no-op without tracing): the last step of a graceful stop. */
export async function shutdownTracing(): Promise<void> {
  await installed?.shutdown();
}

/** The plugins for a Temporal Client or Worker of this process: the tracing plugin when tracing is on. */
export function temporalPlugins(): OpenTelemetryPlugin[] {
  return installed ? [installed.plugin] : [];
}

const spans = new WeakMap<object, Span>();

/** A server span per HTTP request, current while the route runs, named by method and route (never the URL's ids). */
export function traceRequests(app: FastifyInstance): void {
  if (!installed) return;
  const tracer = trace.getTracer('firebreak-http');
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const span = tracer.startSpan(`${request.method} ${route}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route } });
    spans.set(request, span);
    context.with(trace.setSpan(context.active(), span), done);
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}
