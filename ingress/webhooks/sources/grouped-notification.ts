import { z } from 'zod';
import { AlertStatus } from '../../../runbooks/schema/alert';
import type { InboundDelivery, NormaliseContext, NormaliseResult } from '../source-kind';
import {
  type AlertCandidate, clip, DESCRIPTION_MAX, finaliseAlerts, httpLink, labelsFingerprint, severityFromWord, TITLE_MAX,
} from './alert-fields';
import { sha256Hex } from './crypto';

const StringMap = z.record(z.string(), z.string());

/** One element of `alerts[]` in an Alertmanager-style notification (Alertmanager webhook v4, Grafana webhook v1). */
export const GroupedAlert = z.object({
  status: AlertStatus,
  labels: StringMap,
  annotations: StringMap.default({}),
  startsAt: z.iso.datetime({ offset: true }),
  // Alertmanager sends the zero time "0001-01-01T00:00:00Z" while an alert is firing.
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  // Alertmanager before 0.19 had no per-alert fingerprint; we then derive one from the labels.
  fingerprint: z.string().min(1).max(512).optional(),
});
export type GroupedAlert = z.infer<typeof GroupedAlert>;

/** The group envelope both Alertmanager and Grafana send: one notification per alert group. */
export const GroupedNotification = z.object({
  groupKey: z.string(),
  status: AlertStatus,
  receiver: z.string().optional(),
  groupLabels: StringMap.optional(),
  commonLabels: StringMap.optional(),
  commonAnnotations: StringMap.optional(),
  externalURL: z.string().optional(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  alerts: z.array(GroupedAlert),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A delivery id for senders that have none: SHA-256 of groupKey, group status, and each alert's fingerprint, startsAt
 * and endsAt (sorted). A retry of the same notification gets the same id; a notification that adds, resolves or
 * re-starts an alert of the group gets a new one. An identical re-send after `repeat_interval` also gets the same id:
 * it carries no new fact (firing alerts have a zeroed endsAt), so treating it as a duplicate loses nothing while the
 * dedupe window is shorter than `repeat_interval`. Undefined when the body is not a JSON object.
 */
export function groupedDeliveryId(delivery: InboundDelivery): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(delivery.rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(body)) return undefined;
  const alerts = Array.isArray(body.alerts) ? body.alerts : [];
  const identities = alerts
    .map((a) => (isRecord(a) ? JSON.stringify([a.fingerprint ?? a.labels, a.startsAt, a.endsAt]) : JSON.stringify(a)))
    .sort();
  return sha256Hex(JSON.stringify([body.groupKey, body.status, identities]));
}

export interface GroupedAlertMapping<A extends GroupedAlert> {
  /** Title when neither `annotations.summary` nor `labels.alertname` is set. */
  fallbackTitle: string;
  link(alert: A): string | undefined;
}

/**
 * One Alert per element of `alerts[]`. `raw` is the sender's envelope with only this alert in `alerts`, so each
 * Alert's evidence shows its group context without copying the whole group into every Alert.
 */
export function alertsFromGroup<A extends GroupedAlert>(
  parsed: { alerts: A[] },
  body: unknown,
  ctx: NormaliseContext,
  mapping: GroupedAlertMapping<A>,
): NormaliseResult {
  const envelope = isRecord(body) ? body : {};
  const rawAlerts = Array.isArray(envelope.alerts) ? envelope.alerts : [];
  const candidates: AlertCandidate[] = parsed.alerts.map((a, i) => {
    const title = clip(a.annotations.summary || a.labels.alertname || mapping.fallbackTitle, TITLE_MAX);
    const description = a.annotations.description || a.annotations.message;
    return {
      path: ['alerts', i],
      alert: {
        source: ctx.source,
        deliveryId: ctx.deliveryId,
        fingerprint: a.fingerprint ?? labelsFingerprint('', a.labels),
        title,
        severity: severityFromWord(a.labels.severity),
        status: a.status,
        labels: a.labels,
        description: description ? clip(description, DESCRIPTION_MAX) : undefined,
        occurredAt: a.startsAt,
        receivedAt: ctx.receivedAt.toISOString(),
        link: httpLink(mapping.link(a)),
        raw: { ...envelope, alerts: [rawAlerts[i]] },
      },
    };
  });
  return finaliseAlerts(candidates);
}
