import { z } from 'zod';
import type { Severity } from '../../../runbooks/schema/alert';
import type { AuthResult, InboundDelivery, NormaliseContext, NormaliseResult, SourceKind } from '../source-kind';
import { clip, DESCRIPTION_MAX, finaliseAlerts, httpLink, issuesFromZod, severityFromWord, TITLE_MAX } from './alert-fields';
import { accepted, refused } from './auth-result';
import { bytesEqual, hmacSha256, matchesAny, parseSha256Hex } from './crypto';

/** Config for a GitHub webhook: every secret currently valid (several during rotation). */
export const GithubAuth = z.object({ secrets: z.array(z.string().min(1)).min(1) });
export type GithubAuth = z.infer<typeof GithubAuth>;

function authenticate(delivery: InboundDelivery, auth: GithubAuth): AuthResult {
  // The legacy SHA-1 `x-hub-signature` is deliberately not accepted.
  const header = delivery.headers['x-hub-signature-256'];
  if (!header) return refused('auth.missing', 'no X-Hub-Signature-256 header');
  const presented = header.startsWith('sha256=') ? parseSha256Hex(header.slice('sha256='.length)) : undefined;
  if (!presented) return refused('auth.malformed', 'X-Hub-Signature-256 is not sha256=<hex>');
  return matchesAny([presented], auth.secrets, (p, secret) => bytesEqual(p, hmacSha256(secret, delivery.rawBody)))
    ? accepted
    : refused('auth.bad_signature', 'X-Hub-Signature-256 does not match a configured secret');
}

const Timestamp = z.iso.datetime({ offset: true });
const OptionalTimestamp = Timestamp.nullable().optional();

/** Fields every GitHub security alert object has. */
const AlertBase = z.object({
  number: z.number().int().positive(),
  // The published examples of some events leave it out; the repository and number still name the alert.
  html_url: z.string().optional(),
  state: z.string().optional(),
  created_at: Timestamp.optional(),
  updated_at: OptionalTimestamp,
  resolved_at: OptionalTimestamp,
  fixed_at: OptionalTimestamp,
  dismissed_at: OptionalTimestamp,
});

/** What each event contributes to an Alert beyond the shared fields. */
interface EventDetails {
  title: string;
  severity: Severity;
  labels: Record<string, string>;
  description?: string;
}

/** An event envelope around one kind of alert object, reduced to the shared fields plus that kind's details. */
function securityEvent<T extends z.infer<typeof AlertBase>>(alert: z.ZodType<T>, details: (a: T) => EventDetails) {
  return z
    .object({ action: z.string(), alert, repository: z.object({ full_name: z.string().min(1) }) })
    .transform((e) => ({ action: e.action, repository: e.repository.full_name, alert: e.alert, ...details(e.alert) }));
}

const CODE_SCANNING_RULE_SEVERITY: Readonly<Record<string, Severity>> = { error: 'high', warning: 'medium', note: 'low', none: 'info' };

const secretScanningAlert = securityEvent(
  AlertBase.extend({ secret_type: z.string(), secret_type_display_name: z.string().optional() }),
  (a) => ({
    title: `Secret exposed: ${a.secret_type_display_name ?? a.secret_type}`,
    // GitHub gives secret scanning alerts no severity; a live credential in a repository is treated as high.
    severity: 'high',
    labels: { secret_type: a.secret_type },
  }),
);

const codeScanningAlert = securityEvent(
  AlertBase.extend({
    rule: z.object({
      id: z.string(),
      description: z.string().optional(),
      severity: z.string().nullable().optional(),
      security_severity_level: z.string().nullable().optional(),
    }),
    tool: z.object({ name: z.string() }),
  }),
  (a) => ({
    title: `Code scanning: ${a.rule.description || a.rule.id}`,
    // Security rules carry a CVSS-derived level; other rules only error/warning/note.
    severity: a.rule.security_severity_level
      ? severityFromWord(a.rule.security_severity_level)
      : (CODE_SCANNING_RULE_SEVERITY[a.rule.severity ?? ''] ?? 'medium'),
    labels: { rule_id: a.rule.id, tool: a.tool.name },
  }),
);

const dependabotAlert = securityEvent(
  AlertBase.extend({
    dependency: z.object({ package: z.object({ ecosystem: z.string(), name: z.string() }) }),
    security_advisory: z.object({
      ghsa_id: z.string(),
      cve_id: z.string().nullable().optional(),
      summary: z.string(),
      description: z.string().optional(),
      severity: z.string().optional(),
    }),
    security_vulnerability: z.object({ severity: z.string().optional() }).optional(),
  }),
  (a) => ({
    title: `Vulnerable dependency ${a.dependency.package.name}: ${a.security_advisory.summary}`,
    severity: severityFromWord(a.security_advisory.severity ?? a.security_vulnerability?.severity),
    labels: {
      package: a.dependency.package.name,
      ecosystem: a.dependency.package.ecosystem,
      ghsa_id: a.security_advisory.ghsa_id,
      ...(a.security_advisory.cve_id ? { cve_id: a.security_advisory.cve_id } : {}),
    },
    description: a.security_advisory.description,
  }),
);

/** Security alert events we turn into Alerts, by `X-GitHub-Event`. */
const SECURITY_EVENTS = {
  secret_scanning_alert: secretScanningAlert,
  code_scanning_alert: codeScanningAlert,
  dependabot_alert: dependabotAlert,
} as const;

/** What an action means for the incident of its alert: see the table in the README (Alert sources). */
type Lifecycle = 'open' | 'update' | 'resolve' | 'ignore';

/**
 * Every action GitHub documents for each security alert event. Assignment changes are people managing the alert in
 * GitHub, not a new fact about it; a branch or validity change is news about an alert already raised.
 */
const ACTIONS: Readonly<Record<keyof typeof SECURITY_EVENTS, Readonly<Record<string, Lifecycle>>>> = {
  code_scanning_alert: {
    created: 'open', reopened: 'open', reopened_by_user: 'open',
    appeared_in_branch: 'update',
    fixed: 'resolve', closed_by_user: 'resolve',
    updated_assignment: 'ignore',
  },
  dependabot_alert: {
    created: 'open', reopened: 'open', auto_reopened: 'open', reintroduced: 'open',
    fixed: 'resolve', dismissed: 'resolve', auto_dismissed: 'resolve',
    assignees_changed: 'ignore',
  },
  secret_scanning_alert: {
    created: 'open', reopened: 'open',
    publicly_leaked: 'update', validated: 'update',
    resolved: 'resolve', revoked: 'resolve',
    assigned: 'ignore', unassigned: 'ignore',
  },
};

/** An action GitHub adds later is judged by the alert's own `state`: open is news about it, anything else closes it. */
function lifecycleOf(event: keyof typeof SECURITY_EVENTS, action: string, state: string | undefined): Lifecycle {
  const known = Object.hasOwn(ACTIONS[event], action) ? ACTIONS[event][action] : undefined;
  return known ?? (state === undefined || state === 'open' ? 'update' : 'resolve');
}

function normalise(body: unknown, ctx: NormaliseContext): NormaliseResult {
  const event = ctx.headers['x-github-event'];
  // GitHub sends `ping` when a hook is created; it is a valid delivery with nothing to act on.
  if (event === 'ping') return { ok: true, alerts: [] };
  // Refused (not ignored) so a hook subscribed to events we cannot use shows failed deliveries in GitHub's UI.
  if (!event || !Object.hasOwn(SECURITY_EVENTS, event)) {
    return { ok: false, issues: [{ path: ['X-GitHub-Event'], message: `unsupported GitHub event ${JSON.stringify(event ?? '')}` }] };
  }
  const parsed = SECURITY_EVENTS[event as keyof typeof SECURITY_EVENTS].safeParse(body);
  if (!parsed.success) return { ok: false, issues: issuesFromZod(parsed.error) };
  const e = parsed.data;
  const lifecycle = lifecycleOf(event as keyof typeof SECURITY_EVENTS, e.action, e.alert.state);
  if (lifecycle === 'ignore') return { ok: true, alerts: [] };
  const resolved = lifecycle === 'resolve';
  const closedAt = e.alert.resolved_at ?? e.alert.fixed_at ?? e.alert.dismissed_at;
  const changedAt = e.alert.updated_at ?? e.alert.created_at;
  return finaliseAlerts([
    {
      path: ['alert'],
      alert: {
        source: ctx.source,
        deliveryId: ctx.deliveryId,
        fingerprint: `${e.repository}/${event}/${e.alert.number}`,
        title: clip(`${e.title} in ${e.repository}`, TITLE_MAX),
        severity: e.severity,
        status: resolved ? 'resolved' : 'firing',
        update: lifecycle === 'update' ? true : undefined,
        labels: { ...e.labels, repository: e.repository, github_event: event, github_action: e.action, alert_number: String(e.alert.number) },
        description: e.description ? clip(e.description, DESCRIPTION_MAX) : undefined,
        occurredAt: (resolved ? (closedAt ?? changedAt) : changedAt) ?? ctx.receivedAt.toISOString(),
        receivedAt: ctx.receivedAt.toISOString(),
        link: httpLink(e.alert.html_url),
        raw: body,
      },
    },
  ]);
}

/**
 * `github`: GitHub security alert webhooks (secret scanning, code scanning, Dependabot), signed with
 * `X-Hub-Signature-256`. Fingerprint `<owner/repo>/<event>/<alert number>`; delivery id `X-GitHub-Delivery`.
 * `ping` yields no Alerts; any other event is an issue at `['X-GitHub-Event']`.
 */
export const github: SourceKind<GithubAuth> = {
  kind: 'github',
  authSchema: GithubAuth,
  authenticate,
  deliveryId: (delivery) => delivery.headers['x-github-delivery'] || undefined,
  normalise,
};
