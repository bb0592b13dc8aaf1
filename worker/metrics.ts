import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics for one process. Labels are bounded sets (source names, outcome codes), never ids. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'firebreak_process_' });
  return {
    registry,
    alertDeliveries: new Counter({ name: 'firebreak_alert_deliveries_total', help: 'Alert deliveries by source and outcome', labelNames: ['source', 'outcome'] as const, registers: [registry] }),
    apiRequests: new Counter({ name: 'firebreak_api_requests_total', help: 'HTTP API requests by route and status', labelNames: ['route', 'status'] as const, registers: [registry] }),
    temporalUp: new Gauge({ name: 'firebreak_temporal_up', help: '1 when the last health check reached Temporal', registers: [registry] }),
    workerPolling: new Gauge({ name: 'firebreak_worker_polling', help: '1 when a worker polls the task queue', registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
