import type { z } from 'zod';
import type { Alert } from '../../runbooks/schema/alert';

/** One HTTP delivery as it reached us: headers lower-cased, the body as raw bytes (signatures cover bytes, not JSON). */
export interface InboundDelivery {
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
  receivedAt: Date;
}

/** Why a delivery was refused before its body was trusted. Codes are stable: metrics and tests key on them. */
export type AuthFailureCode =
  | 'auth.missing' // no signature / credentials at all
  | 'auth.malformed' // header present but not parseable
  | 'auth.bad_signature' // signature or credentials do not match
  | 'auth.stale' // signed timestamp older than the tolerance
  | 'auth.future'; // signed timestamp further ahead than the tolerance

export type AuthResult = { ok: true } | { ok: false; code: AuthFailureCode; message: string };

export interface BodyIssue {
  /** Path into the JSON body, e.g. ['alerts', 0, 'labels']. */
  path: (string | number)[];
  message: string;
}

export type NormaliseResult = { ok: true; alerts: Alert[] } | { ok: false; issues: BodyIssue[] };

export interface NormaliseContext {
  /** Configured source name, copied into every Alert. */
  source: string;
  deliveryId: string;
  receivedAt: Date;
  /** The delivery's headers (lower-cased): some senders name the payload's type in a header (`x-github-event`). */
  headers: InboundDelivery['headers'];
}

/**
 * A kind of alert sender (Standard Webhooks, Alertmanager, GitHub, ...): how it authenticates, how it names a delivery,
 * and how its payload becomes normalised Alerts. Pure: no I/O, no clock except `delivery.receivedAt`.
 * `Auth` holds already-resolved secret values; config resolves `env:`/`file:` references before handing them over.
 */
export interface SourceKind<Auth> {
  kind: string;
  authSchema: z.ZodType<Auth>;
  authenticate(delivery: InboundDelivery, auth: Auth): AuthResult;
  /** The sender's id for this delivery, stable across its retries; undefined when the sender has none. */
  deliveryId(delivery: InboundDelivery): string | undefined;
  normalise(body: unknown, ctx: NormaliseContext): NormaliseResult;
}
