import type { Alert, Severity } from '../../runbooks/schema/alert';
import { sha256Hex } from './sources/crypto';

export type Grouping = 'per-alert' | 'per-group';

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

function groupKeyOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const key = (body as { groupKey?: unknown }).groupKey;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string');
  return Object.fromEntries(entries);
}

/**
 * Applies a source's grouping to the alerts of one delivery. `per-alert` (the default) keeps one alert per sender
 * fingerprint, so each opens or joins its own incident. `per-group` folds an Alertmanager/Grafana notification into
 * one alert whose fingerprint is the `groupKey`, so the group is one incident: the group's status (resolved only when
 * every alert is), its common labels, its most severe severity and its earliest start. Bodies without a `groupKey`
 * are left per alert.
 */
export function applyGrouping(alerts: readonly Alert[], body: unknown, grouping: Grouping): Alert[] {
  const groupKey = groupKeyOf(body);
  if (grouping === 'per-alert' || groupKey === undefined || alerts.length === 0) return [...alerts];
  const envelope = body as { status?: unknown; commonLabels?: unknown; commonAnnotations?: unknown };
  const first = alerts[0]!;
  const labels = stringMap(envelope.commonLabels) ?? first.labels;
  const summary = stringMap(envelope.commonAnnotations)?.summary;
  const severity = alerts.reduce<Severity>((worst, a) => (SEVERITY_RANK[a.severity] > SEVERITY_RANK[worst] ? a.severity : worst), 'info');
  const occurredAt = alerts.map((a) => a.occurredAt).sort((a, b) => Date.parse(a) - Date.parse(b))[0]!;
  return [
    {
      ...first,
      // Prefixed so a group can never share an incident with a single alert whose fingerprint happens to be equal.
      fingerprint: `group:${sha256Hex(groupKey)}`,
      title: summary || labels.alertname || first.title,
      severity,
      status: envelope.status === 'resolved' || alerts.every((a) => a.status === 'resolved') ? 'resolved' : 'firing',
      labels: { ...labels, alert_count: String(alerts.length) },
      occurredAt,
      raw: body,
    },
  ];
}
