import { Webhook } from 'standardwebhooks';
import { hmacSha256 } from './crypto';

// Signing the way each sender does, for `firebreak alert send` and tests. Each function returns a header value.

type Body = string | Buffer;
const bytes = (body: Body): Buffer => (typeof body === 'string' ? Buffer.from(body, 'utf8') : body);

/** `webhook-signature` value (`v1,<base64>`) for a `whsec_` secret, a `webhook-id` and Unix-seconds `webhook-timestamp`. */
export function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: Body): string {
  return new Webhook(secret).sign(id, new Date(timestampSeconds * 1000), bytes(body));
}

/** `X-Hub-Signature-256` value: `sha256=<hex HMAC-SHA256(secret, body)>`. */
export function signGithub(secret: string, body: Body): string {
  return `sha256=${hmacSha256(secret, bytes(body)).toString('hex')}`;
}

/** `X-PagerDuty-Signature` value: one `v1=<hex>` per secret, comma-joined, as PagerDuty sends during rotation. */
export function signPagerDuty(secrets: string | readonly string[], body: Body): string {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  return list.map((secret) => `v1=${hmacSha256(secret, bytes(body)).toString('hex')}`).join(',');
}

/**
 * `X-Grafana-Alerting-Signature` value: lowercase hex HMAC-SHA256 of the body, or of `timestamp:body` when Grafana is
 * configured with a timestamp header (pass the same Unix seconds you put in that header).
 */
export function signGrafana(secret: string, body: Body, timestampSeconds?: number): string {
  const signed = timestampSeconds === undefined ? bytes(body) : Buffer.concat([Buffer.from(`${timestampSeconds}:`), bytes(body)]);
  return hmacSha256(secret, signed).toString('hex');
}

/** `Authorization` value for HTTP basic auth, as Alertmanager's and Grafana's `basic_auth` send it. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
