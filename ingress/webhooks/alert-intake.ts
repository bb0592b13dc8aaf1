import type { Logger } from '../../worker/logging';
import type { IncidentStarter } from '../incident-starter';
import type { RunbookCatalog } from '../runbook-catalog';
import type { DeliveryDedupe } from './delivery-dedupe';
import type { InboundDelivery, SourceKind } from './source-kind';

/** A configured sender: its name (the URL segment), its kind, and its resolved credentials. */
export interface ConfiguredSource {
  name: string;
  kind: SourceKind<unknown>;
  auth: unknown;
}

export type IntakeOutcome =
  | 'accepted'
  | 'duplicate'
  | 'unauthenticated'
  | 'invalid'
  | 'unsupported_media_type'
  | 'no_runbook'
  | 'temporal_unavailable';

export interface IntakeResponse {
  status: number;
  outcome: IntakeOutcome;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface AlertIntakeDeps {
  catalog: RunbookCatalog;
  starter: IncidentStarter;
  dedupe: DeliveryDedupe;
  log: Logger;
  retryAfterSeconds?: number;
}

function jsonBody(raw: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/**
 * One delivery from authentication to a durable Temporal start or signal. Order matters: nothing in the body is
 * trusted (or parsed) before the signature checks out, and 202 is answered only after Temporal accepted every alert.
 */
export async function takeDelivery(source: ConfiguredSource, delivery: InboundDelivery, deps: AlertIntakeDeps): Promise<IntakeResponse> {
  const contentType = (delivery.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/json') {
    return { status: 415, outcome: 'unsupported_media_type', body: { error: 'request.unsupported_media_type', message: 'Content-Type must be application/json' } };
  }
  const auth = source.kind.authenticate(delivery, source.auth);
  if (!auth.ok) return { status: 401, outcome: 'unauthenticated', body: { error: auth.code, message: auth.message } };

  const deliveryId = source.kind.deliveryId(delivery);
  if (deliveryId && (await deps.dedupe.seen(source.name, deliveryId))) {
    return { status: 200, outcome: 'duplicate', body: { duplicate: true, deliveryId } };
  }
  const parsed = jsonBody(delivery.rawBody);
  if (!parsed.ok) return { status: 400, outcome: 'invalid', body: { error: 'alert.invalid', issues: [{ path: [], message: 'body is not valid JSON' }] } };
  const normalised = source.kind.normalise(parsed.value, { source: source.name, deliveryId: deliveryId ?? `${source.name}-${delivery.receivedAt.getTime()}`, receivedAt: delivery.receivedAt, headers: delivery.headers });
  if (!normalised.ok) return { status: 400, outcome: 'invalid', body: { error: 'alert.invalid', issues: normalised.issues } };

  const routed = await Promise.all(normalised.alerts.map(async (alert) => ({ alert, pinned: await deps.catalog.match(alert) })));
  const unrouted = routed.filter((r) => !r.pinned);
  if (unrouted.length > 0) {
    deps.log.warn({ source: source.name, deliveryId, fingerprints: unrouted.length }, 'alert matched no runbook: refused');
    return { status: 422, outcome: 'no_runbook', body: { error: 'alert.no_runbook', message: 'no runbook matches this alert and no default runbook is configured' } };
  }
  try {
    const incidents = [];
    for (const { alert, pinned } of routed) incidents.push({ ...(await deps.starter.alert(alert, pinned!)), runbook: pinned!.runbook.id });
    if (deliveryId) await deps.dedupe.remember(source.name, deliveryId);
    deps.log.info({ source: source.name, deliveryId, incidents: incidents.map((i) => i.incidentId) }, 'alert accepted');
    return { status: 202, outcome: 'accepted', body: { accepted: true, deliveryId, incidents } };
  } catch (error) {
    deps.log.error({ source: source.name, deliveryId, err: error }, 'Temporal did not accept the alert');
    const retryAfter = String(deps.retryAfterSeconds ?? 5);
    return { status: 503, outcome: 'temporal_unavailable', headers: { 'retry-after': retryAfter }, body: { error: 'temporal.unavailable', message: 'could not reach Temporal; retry later' } };
  }
}
