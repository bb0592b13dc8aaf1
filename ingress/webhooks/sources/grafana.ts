import { z } from 'zod';
import type { AuthResult, InboundDelivery, NormaliseContext, NormaliseResult, SourceKind } from '../source-kind';
import { issuesFromZod } from './alert-fields';
import { accepted, allOf, checkTimestampWindow, refused } from './auth-result';
import { bytesEqual, hmacSha256, matchesAny, parseSha256Hex } from './crypto';
import { alertsFromGroup, GroupedAlert, groupedDeliveryId, GroupedNotification } from './grouped-notification';
import { authenticateCredentials, hasCredentials, HttpCredentials } from './http-credentials';

/** Header names are compared lower-cased, as InboundDelivery carries them. */
const HeaderName = z
  .string()
  .regex(/^[A-Za-z0-9-]+$/, 'expected an HTTP header name')
  .transform((name) => name.toLowerCase());

/**
 * Grafana's optional HMAC signing (contact point "HMAC signature"). When `timestampHeader` is set, Grafana sends Unix
 * seconds in it and signs `timestamp + ":" + body`; we then also enforce `toleranceSeconds`.
 */
export const GrafanaHmac = z.object({
  secrets: z.array(z.string().min(1)).min(1),
  signatureHeader: HeaderName.default('x-grafana-alerting-signature'),
  timestampHeader: HeaderName.optional(),
  toleranceSeconds: z.number().int().positive().max(3600).default(300),
});

/**
 * Config for a Grafana contact point: `hmac`, bearer/basic credentials, or both. When both are configured, a delivery
 * must pass both: the contact point was set up to send both, so a delivery missing one is not from it.
 */
export const GrafanaAuth = HttpCredentials.extend({ hmac: GrafanaHmac.optional() }).refine(
  (auth) => auth.hmac !== undefined || hasCredentials(auth),
  { message: 'configure hmac, bearerTokens or basicAuth' },
);
export type GrafanaAuth = z.infer<typeof GrafanaAuth>;
type GrafanaHmac = z.infer<typeof GrafanaHmac>;

function authenticateHmac(delivery: InboundDelivery, hmac: GrafanaHmac): AuthResult {
  const header = delivery.headers[hmac.signatureHeader];
  if (!header) return refused('auth.missing', `no ${hmac.signatureHeader} header`);
  const presented = parseSha256Hex(header);
  if (!presented) return refused('auth.malformed', `${hmac.signatureHeader} is not a hex SHA-256`);
  let signed = delivery.rawBody;
  if (hmac.timestampHeader !== undefined) {
    const timestamp = delivery.headers[hmac.timestampHeader];
    if (!timestamp) return refused('auth.missing', `no ${hmac.timestampHeader} header`);
    const window = checkTimestampWindow(timestamp, delivery.receivedAt, hmac.toleranceSeconds, hmac.timestampHeader);
    if (!window.ok) return window;
    signed = Buffer.concat([Buffer.from(`${timestamp}:`, 'utf8'), delivery.rawBody]);
  }
  return matchesAny([presented], hmac.secrets, (p, secret) => bytesEqual(p, hmacSha256(secret, signed)))
    ? accepted
    : refused('auth.bad_signature', `${hmac.signatureHeader} does not match a configured secret`);
}

function authenticate(delivery: InboundDelivery, auth: GrafanaAuth): AuthResult {
  const { hmac } = auth;
  return allOf(
    () => (hmac ? authenticateHmac(delivery, hmac) : accepted),
    () => (hasCredentials(auth) ? authenticateCredentials(delivery, auth) : accepted),
  );
}

export const GrafanaAlert = GroupedAlert.extend({
  values: z.record(z.string(), z.number()).nullable().optional(),
  valueString: z.string().optional(),
  silenceURL: z.string().optional(),
  dashboardURL: z.string().optional(),
  panelURL: z.string().optional(),
  imageURL: z.string().optional(),
});

/** Grafana alerting webhook payload version 1 (Alertmanager-like, plus orgId and per-alert URLs and values). */
export const GrafanaBody = GroupedNotification.extend({
  version: z.literal('1'),
  orgId: z.number().int(),
  // Deprecated group-level fields Grafana still sends.
  title: z.string().optional(),
  state: z.string().optional(),
  message: z.string().optional(),
  alerts: z.array(GrafanaAlert),
});

function normalise(body: unknown, ctx: NormaliseContext): NormaliseResult {
  const parsed = GrafanaBody.safeParse(body);
  if (!parsed.success) return { ok: false, issues: issuesFromZod(parsed.error) };
  return alertsFromGroup(parsed.data, body, ctx, {
    fallbackTitle: parsed.data.title || 'Grafana alert',
    // The panel shows the data that fired; the rule view (generatorURL) is the fallback.
    link: (a) => a.panelURL || a.dashboardURL || a.generatorURL,
  });
}

/**
 * `grafana`: Grafana alerting's webhook contact point. One Alert per element of `alerts[]`, fingerprinted by
 * Grafana's per-alert fingerprint; delivery ids are derived as for Alertmanager (Grafana sends none).
 */
export const grafana: SourceKind<GrafanaAuth> = {
  kind: 'grafana',
  authSchema: GrafanaAuth,
  authenticate,
  deliveryId: groupedDeliveryId,
  normalise,
};
