import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { AlertStatus, Severity } from '../../../runbooks/schema/alert';
import type { AuthResult, InboundDelivery, NormaliseContext, NormaliseResult, SourceKind } from '../source-kind';
import { finaliseAlerts, issuesFromZod, labelsFingerprint } from './alert-fields';
import { accepted, allOf, checkTimestampWindow, refused } from './auth-result';
import { bytesEqual, matchesAny } from './crypto';

const MIN_SECRET_BYTES = 24;

/** A `whsec_<base64>` secret of at least 24 random bytes, as the Standard Webhooks spec asks. */
const WhsecSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, { message: 'expected whsec_<base64>', abort: true })
  .refine((s) => Buffer.from(s.slice('whsec_'.length), 'base64').length >= MIN_SECRET_BYTES, {
    message: `secret must decode to at least ${MIN_SECRET_BYTES} bytes`,
  });

/** Config for a Standard Webhooks source: every secret currently valid (old and new during rotation), and the replay window. */
export const StandardWebhooksAuth = z.object({
  secrets: z.array(WhsecSecret).min(1),
  toleranceSeconds: z.number().int().positive().max(3600).default(300),
});
export type StandardWebhooksAuth = z.infer<typeof StandardWebhooksAuth>;

/** `v1,<base64>` entries of `webhook-signature`; other versions (`v1a` Ed25519) are not ours to check. */
function parseSignatureHeader(header: string): { v1: Buffer[] } | undefined {
  const entries = header.split(' ').filter((e) => e !== '');
  const parsed = entries.map((e) => /^(v\d+[a-z]?),([A-Za-z0-9+/]+={0,2})$/.exec(e));
  if (parsed.length === 0 || parsed.some((m) => m === null)) return undefined;
  return { v1: parsed.filter((m) => m?.[1] === 'v1').map((m) => Buffer.from(m?.[2] ?? '', 'utf8')) };
}

/**
 * The base64 of HMAC-SHA256(secret's bytes, `id.timestamp.body`), as ASCII bytes: the part of a `v1,<base64>` entry
 * after the comma. Computed by node:crypto over the raw body bytes; the standardwebhooks package's sign() (which tests
 * and `firebreak alert send` use as the sender) computes the same in JavaScript, at about 5x the CPU (42 against 8 us for a 100-byte alert).
 */
function v1Signature(secret: string, id: string, timestampSeconds: number, body: Buffer): Buffer {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return Buffer.from(createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest('base64'), 'latin1');
}

function authenticate(delivery: InboundDelivery, auth: StandardWebhooksAuth): AuthResult {
  const id = delivery.headers['webhook-id'];
  const timestamp = delivery.headers['webhook-timestamp'];
  const signature = delivery.headers['webhook-signature'];
  if (!id || !timestamp || !signature) return refused('auth.missing', 'webhook-id, webhook-timestamp or webhook-signature missing');
  if (id.includes('.')) return refused('auth.malformed', 'webhook-id contains "."');
  const presented = parseSignatureHeader(signature);
  if (!presented) return refused('auth.malformed', 'webhook-signature is not a list of "<version>,<base64>"');
  return allOf(
    // The window is checked against receivedAt with the configured tolerance (the standardwebhooks package's verify()
    // uses the wall clock and a fixed 5 minutes).
    () => checkTimestampWindow(timestamp, delivery.receivedAt, auth.toleranceSeconds, 'webhook-timestamp'),
    () => {
      const digests = auth.secrets.map((s) => v1Signature(s, id, Math.floor(Number(timestamp)), delivery.rawBody));
      return matchesAny(presented.v1, digests, bytesEqual)
        ? accepted
        : refused('auth.bad_signature', 'no v1 signature matches a configured secret');
    },
  );
}

const HttpUrl = z.url({ protocol: /^https?$/ }).max(2048);

/**
 * The generic alert body. Unknown fields are allowed (and kept, since `raw` is the whole body). Limits match the Alert
 * schema so a too-long title is reported at `['title']`, where the sender can fix it.
 */
export const GenericAlertBody = z.object({
  title: z.string().min(1).max(500),
  severity: Severity.default('medium'),
  status: AlertStatus.default('firing'),
  fingerprint: z.string().min(1).max(512).optional(),
  labels: z.record(z.string(), z.string()).default({}),
  description: z.string().max(20_000).optional(),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  link: HttpUrl.optional(),
});

function normalise(body: unknown, ctx: NormaliseContext): NormaliseResult {
  const parsed = GenericAlertBody.safeParse(body);
  if (!parsed.success) return { ok: false, issues: issuesFromZod(parsed.error) };
  const b = parsed.data;
  return finaliseAlerts([
    {
      path: [],
      alert: {
        source: ctx.source,
        deliveryId: ctx.deliveryId,
        fingerprint: b.fingerprint ?? labelsFingerprint(b.title, b.labels),
        title: b.title,
        severity: b.severity,
        status: b.status,
        labels: b.labels,
        description: b.description,
        occurredAt: b.occurredAt ?? ctx.receivedAt.toISOString(),
        receivedAt: ctx.receivedAt.toISOString(),
        link: b.link,
        raw: body,
      },
    },
  ]);
}

/**
 * `standard-webhooks`: the generic JSON alert, signed per the Standard Webhooks spec (HMAC-SHA256 over
 * `id.timestamp.body`). The delivery id is `webhook-id`, which the sender keeps across retries.
 */
export const standardWebhooks: SourceKind<StandardWebhooksAuth> = {
  kind: 'standard-webhooks',
  authSchema: StandardWebhooksAuth,
  authenticate,
  deliveryId: (delivery) => delivery.headers['webhook-id'] || undefined,
  normalise,
};
