import type { Client } from '@temporalio/client';
import type { Alert } from '../../runbooks/schema/alert';
import type { Logger } from '../../shared/logger';
import type { IncidentClient } from '../incident-client';
import { type AlertAdmission, type ReopenPolicy, RunbookNeededError } from '../alert-admission';
import { applyGrouping, type Grouping } from './alert-grouping';
import type { AlertRouter, RoutedAlert } from './alert-routing';
import type { DeliveryDedupe } from './delivery-dedupe';
import type { TokenBucket } from './rate-limit';
import type { RoutingRule } from './source-config';
import type { InboundDelivery, SourceKind } from './source-kind';

/** A configured sender: its name (the URL segment), its kind, its resolved credentials and its intake settings. */
export interface ConfiguredSource {
  name: string;
  kind: SourceKind<unknown>;
  auth: unknown;
  /** Routing rules tried before the global ones. */
  routing: readonly RoutingRule[];
  grouping: Grouping;
  /** What a firing alert does once its incident has closed. */
  reopen: ReopenPolicy;
  /** Absent: no rate limit. */
  rateLimit?: TokenBucket;
  rateLimitPerMinute?: number;
  dedupeRetentionDays: number;
  /** The `generic` source Firebreak provides when config names none. */
  builtIn: boolean;
}

/** Every answer the ingress gives, as counted in `firebreak_alert_deliveries_total{outcome}`. */
export type IntakeOutcome =
  | 'accepted'
  | 'duplicate'
  | 'unauthenticated'
  | 'invalid'
  | 'unsupported_media_type'
  | 'too_large'
  | 'unknown_source'
  | 'rate_limited'
  | 'no_runbook'
  | 'temporal_unavailable'
  | 'internal_error';

export interface IntakeResponse {
  status: number;
  outcome: IntakeOutcome;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Set once authenticated, for logs. */
  deliveryId?: string;
}

export interface AlertIntakeDeps {
  router: AlertRouter;
  starter: Pick<IncidentClient, 'alert' | 'joinsRunning'>;
  dedupe: DeliveryDedupe;
  log: Logger;
  /** Bounds every Temporal call of one delivery (see `temporalDeadlineMs`). */
  temporal: Pick<Client, 'withDeadline'>;
  /**
   * How long one delivery may wait for Temporal before answering 503 (default 3 s). Unbounded, the SDK retries an
   * unreachable server for ~20 s, longer than senders wait (PagerDuty: 5 s), and a sender that times out does not
   * always retry.
   */
  temporalDeadlineMs?: number;
  /** Retry-After for 503: long enough for a Temporal restart, short against senders' retry budgets (PagerDuty: ~20 min). */
  retryAfterSeconds?: number;
}

function jsonBody(raw: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

class TemporalDeadlineExceeded extends Error {
  readonly code = 'temporal.deadline_exceeded';
}

/**
 * Runs Temporal calls under a gRPC deadline and answers no later than it. The SDK checks the deadline only between
 * retry backoffs (overshooting by seconds), so the answer races a timer; the calls left running stop at the deadline.
 */
async function withinDeadline<R>(deps: AlertIntakeDeps, fn: () => Promise<R>): Promise<R> {
  const ms = deps.temporalDeadlineMs ?? 3000;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TemporalDeadlineExceeded(`no answer from Temporal within ${ms} ms`)), ms);
  });
  const work = deps.temporal.withDeadline(new Date(Date.now() + ms), fn);
  work.catch(() => undefined); // after the timer won, its rejection has nobody else to reach
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

const refusal = (status: number, outcome: IntakeOutcome, error: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>): IntakeResponse => ({
  status,
  outcome,
  body: { error, ...extra },
  headers,
});

/**
 * One delivery from authentication to a durable Temporal start or signal. Order matters: nothing in the body is
 * trusted (or parsed) before the signature checks out; only authenticated deliveries spend the source's rate budget, so
 * a forger cannot get the real sender's alerts refused; and 202 is answered only after Temporal accepted every alert.
 */
export async function takeDelivery(source: ConfiguredSource, delivery: InboundDelivery, deps: AlertIntakeDeps): Promise<IntakeResponse> {
  const contentType = (delivery.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/json') return refusal(415, 'unsupported_media_type', 'request.unsupported_media_type', { message: 'Content-Type must be application/json' });
  const auth = source.kind.authenticate(delivery, source.auth);
  if (!auth.ok) return refusal(401, 'unauthenticated', auth.code, { message: auth.message });

  const waitSeconds = source.rateLimit?.take() ?? 0;
  if (waitSeconds > 0) return refusal(429, 'rate_limited', 'source.rate_limited', { message: 'this source is over its rate limit' }, { 'retry-after': String(waitSeconds) });

  const deliveryId = source.kind.deliveryId(delivery);
  if (deliveryId && (await deps.dedupe.seen(source.name, deliveryId))) {
    return { status: 200, outcome: 'duplicate', body: { duplicate: true, deliveryId }, deliveryId };
  }
  const parsed = jsonBody(delivery.rawBody);
  if (!parsed.ok) return { ...refusal(400, 'invalid', 'alert.invalid', { issues: [{ path: [], message: 'body is not valid JSON' }] }), deliveryId };
  const ctx = { source: source.name, deliveryId: deliveryId ?? `${source.name}-${delivery.receivedAt.getTime()}`, receivedAt: delivery.receivedAt, headers: delivery.headers };
  const normalised = source.kind.normalise(parsed.value, ctx);
  if (!normalised.ok) return { ...refusal(400, 'invalid', 'alert.invalid', { issues: normalised.issues }), deliveryId };

  const alerts = applyGrouping(normalised.alerts, parsed.value, source.grouping);
  // Events the kind defines as carrying nothing to act on (GitHub `ping`, PagerDuty acknowledgements, assignment changes).
  if (alerts.length === 0) {
    if (deliveryId) rememberDelivery(deps, source, deliveryId);
    return { status: 202, outcome: 'accepted', body: { accepted: true, ignored: true, deliveryId, incidents: [] }, deliveryId };
  }
  // Only an alert that may open an incident needs a runbook: a resolve joins one or starts nothing, and so does (most
  // likely) a repeat of an incident this process saw running, the bulk of an alert storm.
  const routeFirst = (alert: (typeof alerts)[number]): boolean => alert.status === 'firing' && !deps.starter.joinsRunning(alert);
  const routed = await Promise.all(alerts.map((alert) => (routeFirst(alert) ? deps.router.route(alert, source.routing) : undefined)));
  const unrouted = alerts.filter((a, i) => routeFirst(a) && !routed[i]);
  if (unrouted.length > 0) return noRunbook(deps, source, deliveryId, unrouted);
  try {
    // In parallel: each start is idempotent (workflow id from the fingerprint, delivery id deduped in the workflow), so a
    // partial failure answered 503 and retried by the sender doubles nothing.
    const admissions = await withinDeadline(deps, () =>
      Promise.all(
        alerts.map(async (alert, i) => {
          const route = routed[i];
          try {
            return answerFor(await deps.starter.alert(route?.alert ?? alert, route?.pinned, source.reopen), route);
          } catch (error) {
            // The repeat's incident closed since this process saw it running, and a successor may open: route it now.
            if (!(error instanceof RunbookNeededError) || route) throw error;
            const late = await deps.router.route(alert, source.routing);
            if (!late) throw new UnroutedAlerts([alert]);
            return answerFor(await deps.starter.alert(late.alert, late.pinned, source.reopen), late);
          }
        }),
      ),
    );
    if (deliveryId) rememberDelivery(deps, source, deliveryId);
    return { status: 202, outcome: 'accepted', body: { accepted: true, deliveryId, incidents: admissions }, deliveryId };
  } catch (error) {
    if (error instanceof UnroutedAlerts) return noRunbook(deps, source, deliveryId, error.alerts);
    deps.log.error({ source: source.name, deliveryId, err: error }, 'Temporal did not accept the alert');
    const retryAfter = String(deps.retryAfterSeconds ?? 5);
    return { ...refusal(503, 'temporal_unavailable', 'temporal.unavailable', { message: 'could not reach Temporal; retry later' }, { 'retry-after': retryAfter }), deliveryId };
  }
}

/** Firing alerts that may open an incident and that no rule, `match` or default routes. */
class UnroutedAlerts extends Error {
  constructor(readonly alerts: readonly Alert[]) {
    super('alert matched no runbook');
  }
}

/** Recorded (log + metric) and refused, never dropped: the sender sees the failure and keeps the alert. */
function noRunbook(deps: AlertIntakeDeps, source: ConfiguredSource, deliveryId: string | undefined, unrouted: readonly Alert[]): IntakeResponse {
  deps.log.warn({ source: source.name, deliveryId, fingerprints: unrouted.map((a) => a.fingerprint) }, 'alert matched no runbook: refused');
  return { ...refusal(422, 'no_runbook', 'alert.no_runbook', { message: 'no routing rule or runbook matches this alert and no default runbook is configured' }), deliveryId };
}

/** Off the answer's path: a retry before the id is on disk is still a duplicate (in this process), or the workflow's. */
function rememberDelivery(deps: AlertIntakeDeps, source: ConfiguredSource, deliveryId: string): void {
  deps.dedupe.rememberInBackground(source.name, deliveryId, (error) =>
    deps.log.warn({ source: source.name, deliveryId, err: error }, 'could not record the delivery id; a retry is deduplicated by its incident instead'),
  );
}

/** One alert's line in the answer (and, through alert-audit.ts, its audit record): which incident, and what happened. */
function answerFor(admission: AlertAdmission, routed: Pick<RoutedAlert, 'pinned' | 'via' | 'passedOver'> | undefined): Record<string, unknown> {
  return { ...admission, ...(routed && admission.outcome !== 'after_close' && { runbook: routed.pinned.runbook.id, via: routed.via, ...(routed.passedOver && { passedOver: routed.passedOver }) }) };
}
