/**
 * How long one attempt of an action may run when its step names no `timeout`, fitted to what the action does. A
 * killed worker is not what these bound: every action heartbeats and is retried seconds after its worker dies (see
 * ACTION_HEARTBEAT_TIMEOUT); these stop an attempt that is alive but stuck (a server that accepted the connection and
 * never answered).
 */
const BY_ACTION: Record<string, string> = {
  noop: '10s',
  // One message to one SMTP relay, attachments included.
  'notify.email': '2m',
  // Thousands of notices at a rate limit (10,000 at 60/min is close to 3 hours); resumes from its heartbeat position.
  'notify.email-batch': '24h',
  'notify.slack': '1m',
  'http.request': '1m',
};

const BY_DOMAIN: Record<string, string> = {
  // Up to 512 MiB hashed, spooled and uploaded to the evidence store.
  evidence: '30m',
};

/** Containment and anything else: vendor APIs that may hold a request or ask for a back-off (429 Retry-After). */
const DEFAULT_ACTION_TIMEOUT = '5m';

export function defaultActionTimeout(action: string): string {
  return BY_ACTION[action] ?? BY_DOMAIN[action.split('.')[0]!] ?? DEFAULT_ACTION_TIMEOUT;
}
