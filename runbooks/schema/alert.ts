import { z } from 'zod';

/** Alert severity, normalised across every source kind. */
export const Severity = z.enum(['critical', 'high', 'medium', 'low', 'info']);
export type Severity = z.infer<typeof Severity>;

/** Whether the source says the condition is still happening. */
export const AlertStatus = z.enum(['firing', 'resolved']);
export type AlertStatus = z.infer<typeof AlertStatus>;

/**
 * One alert as every runbook sees it, whatever tool sent it. Runbook `match` rules and templates
 * read these fields; `raw` keeps the sender's payload for evidence.
 */
export const Alert = z.object({
  /** Configured source name (e.g. `generic`, `prometheus`). */
  source: z.string().min(1).max(64),
  /** The sender's delivery id (webhook-id, X-GitHub-Delivery, ...): a retry carries the same one. */
  deliveryId: z.string().min(1).max(256),
  /** Identity of the condition: the same fingerprint joins the same open incident. */
  fingerprint: z.string().min(1).max(512),
  title: z.string().min(1).max(500),
  severity: Severity,
  status: AlertStatus,
  labels: z.record(z.string(), z.string()),
  /**
   * True when the sender reports a change to an alert it raised before (GitHub `appeared_in_branch`, `validated`), not
   * a (re)opening: it joins the open incident but never opens a successor once that incident has closed.
   */
  update: z.literal(true).optional(),
  description: z.string().max(20_000).optional(),
  /** ISO-8601 with offset: when the source says it happened. */
  occurredAt: z.string().datetime({ offset: true }),
  /** ISO-8601 UTC: when Firebreak accepted it. */
  receivedAt: z.string().datetime({ offset: true }),
  link: z.string().url().max(2048).optional(),
  /** The sender's payload as parsed JSON, kept for evidence capture. */
  raw: z.unknown(),
});
export type Alert = z.infer<typeof Alert>;
