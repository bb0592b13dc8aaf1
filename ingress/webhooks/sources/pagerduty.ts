import { z } from 'zod';
import type { AlertStatus, Severity } from '../../../runbooks/schema/alert';
import type { AuthResult, InboundDelivery, NormaliseContext, NormaliseResult, SourceKind } from '../source-kind';
import { clip, finaliseAlerts, httpLink, issuesFromZod, severityFromWord, TITLE_MAX } from './alert-fields';
import { accepted, refused } from './auth-result';
import { bytesEqual, hmacSha256, matchesAny, parseSha256Hex } from './crypto';

/** Config for a PagerDuty v3 webhook subscription: every signing secret currently valid. */
export const PagerDutyAuth = z.object({ secrets: z.array(z.string().min(1)).min(1) });
export type PagerDutyAuth = z.infer<typeof PagerDutyAuth>;

/**
 * The `v1=<hex>` entries of `X-PagerDuty-Signature` (PagerDuty sends one per active secret). Undefined when an entry is
 * not `<version>=<value>` or a v1 entry is not a SHA-256; entries of other versions are skipped.
 */
function parseSignatures(header: string): Buffer[] | undefined {
  const v1: Buffer[] = [];
  for (const entry of header.split(',').map((e) => e.trim())) {
    const match = /^(v\d+)=(\S+)$/.exec(entry);
    if (!match) return undefined;
    if (match[1] !== 'v1') continue;
    const digest = parseSha256Hex(match[2] ?? '');
    if (!digest) return undefined;
    v1.push(digest);
  }
  return v1;
}

function authenticate(delivery: InboundDelivery, auth: PagerDutyAuth): AuthResult {
  const header = delivery.headers['x-pagerduty-signature'];
  if (!header) return refused('auth.missing', 'no X-PagerDuty-Signature header');
  const presented = parseSignatures(header);
  if (!presented) return refused('auth.malformed', 'X-PagerDuty-Signature is not a list of v1=<hex>');
  const expected = auth.secrets.map((secret) => hmacSha256(secret, delivery.rawBody));
  return matchesAny(presented, expected, bytesEqual)
    ? accepted
    : refused('auth.bad_signature', 'no v1 signature matches a configured secret');
}

const Reference = z.object({ id: z.string().optional(), summary: z.string().optional() });

export const PagerDutyIncident = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  html_url: z.string().optional(),
  number: z.number().int().optional(),
  urgency: z.string().optional(),
  priority: Reference.nullable().optional(),
  service: Reference.optional(),
});

/** PagerDuty v3 webhook envelope. `data` is checked only for the incident events we turn into Alerts. */
export const PagerDutyBody = z.object({
  event: z.object({
    id: z.string().min(1),
    event_type: z.string().min(1),
    resource_type: z.string().min(1),
    occurred_at: z.iso.datetime({ offset: true }),
    agent: z.unknown().optional(),
    client: z.unknown().optional(),
    data: z.unknown(),
  }),
});

/**
 * Incident events that are detections. Responder activity (acknowledged, escalated, annotated, ...) and other
 * resources yield no Alerts: that is PagerDuty's own workflow, not a new fact about the condition.
 */
const STATUS_BY_EVENT: Readonly<Record<string, AlertStatus>> = {
  'incident.triggered': 'firing',
  'incident.reopened': 'firing',
  'incident.resolved': 'resolved',
};

/** Priority P1..P5 wins (an explicit human ranking); otherwise urgency high/low; otherwise medium. */
function severityOf(incident: z.infer<typeof PagerDutyIncident>): Severity {
  const priority = incident.priority?.summary?.trim().toLowerCase();
  if (priority && /^p[1-5]$/.test(priority)) return severityFromWord(priority);
  return severityFromWord(incident.urgency);
}

function normalise(body: unknown, ctx: NormaliseContext): NormaliseResult {
  const envelope = PagerDutyBody.safeParse(body);
  if (!envelope.success) return { ok: false, issues: issuesFromZod(envelope.error) };
  const { event } = envelope.data;
  const status = STATUS_BY_EVENT[event.event_type];
  if (event.resource_type !== 'incident' || status === undefined) return { ok: true, alerts: [] };
  const parsed = PagerDutyIncident.safeParse(event.data);
  if (!parsed.success) return { ok: false, issues: issuesFromZod(parsed.error, ['event', 'data']) };
  const incident = parsed.data;
  const labels: Record<string, string> = { event_type: event.event_type };
  if (incident.service?.summary) labels.service = incident.service.summary;
  if (incident.urgency) labels.urgency = incident.urgency;
  if (incident.priority?.summary) labels.priority = incident.priority.summary;
  if (incident.number !== undefined) labels.incident_number = String(incident.number);
  return finaliseAlerts([
    {
      path: ['event', 'data'],
      alert: {
        source: ctx.source,
        deliveryId: ctx.deliveryId,
        fingerprint: incident.id,
        title: clip(incident.title, TITLE_MAX),
        severity: severityOf(incident),
        status,
        labels,
        occurredAt: event.occurred_at,
        receivedAt: ctx.receivedAt.toISOString(),
        link: httpLink(incident.html_url),
        raw: body,
      },
    },
  ]);
}

/**
 * `pagerduty`: PagerDuty v3 webhooks. Fingerprint is the PagerDuty incident id, so a trigger and its resolve meet in
 * the same Firebreak incident; delivery id is `X-Webhook-Id` (stable across PagerDuty's retries).
 */
export const pagerduty: SourceKind<PagerDutyAuth> = {
  kind: 'pagerduty',
  authSchema: PagerDutyAuth,
  authenticate,
  deliveryId: (delivery) => delivery.headers['x-webhook-id'] || undefined,
  normalise,
};
