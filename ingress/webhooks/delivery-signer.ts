import { randomUUID } from 'node:crypto';
import type { AlertmanagerAuth } from './sources/alertmanager';
import type { GithubAuth } from './sources/github';
import type { GrafanaAuth } from './sources/grafana';
import type { HttpCredentials } from './sources/http-credentials';
import type { SourceKindName } from './sources';
import type { PagerDutyAuth } from './sources/pagerduty';
import { basicAuthorization, signGithub, signGrafana, signPagerDuty, signStandardWebhook } from './sources/sign';
import type { StandardWebhooksAuth } from './sources/standard-webhooks';

export interface SignDeliveryOptions {
  /** The sender's delivery id; a fresh one by default (a retry would reuse it). */
  deliveryId?: string;
  now?: Date;
  /** GitHub's `X-GitHub-Event`; default: guessed from the body's shape. */
  githubEvent?: string;
}

/** Thrown when a payload can't be signed as its kind's sender would (e.g. a GitHub body of no known event). */
export class SignDeliveryError extends Error {
  readonly code = 'sign.unknown_event';
}

function authorization(creds: HttpCredentials): Record<string, string> {
  if (creds.bearerTokens?.[0]) return { authorization: `Bearer ${creds.bearerTokens[0]}` };
  const basic = creds.basicAuth?.[0];
  return basic ? { authorization: basicAuthorization(basic.username, basic.password) } : {};
}

/** GitHub names the event only in a header; a file holds just the body, so the event is read off its shape. */
function githubEventOf(body: string): string {
  const parsed = JSON.parse(body) as { zen?: unknown; alert?: { secret_type?: unknown; tool?: unknown; security_advisory?: unknown } };
  if (parsed.zen !== undefined) return 'ping';
  if (parsed.alert?.secret_type !== undefined) return 'secret_scanning_alert';
  if (parsed.alert?.tool !== undefined) return 'code_scanning_alert';
  if (parsed.alert?.security_advisory !== undefined) return 'dependabot_alert';
  throw new SignDeliveryError('cannot tell which GitHub event this body is; name it (--github-event)');
}

/**
 * The headers the real sender of `kind` would put on `body` (besides Content-Type), made from a source's resolved auth
 * (the same object its `authSchema` parsed). Signers use the first configured secret, except PagerDuty, which signs
 * with every active secret as it does during rotation.
 */
export function signDelivery(kind: SourceKindName, auth: unknown, body: string, options: SignDeliveryOptions = {}): Record<string, string> {
  const now = options.now ?? new Date();
  const seconds = Math.floor(now.getTime() / 1000);
  const id = options.deliveryId ?? (kind === 'standard-webhooks' ? `msg_${randomUUID().replace(/-/g, '')}` : randomUUID());
  switch (kind) {
    case 'standard-webhooks': {
      const a = auth as StandardWebhooksAuth;
      return { 'webhook-id': id, 'webhook-timestamp': String(seconds), 'webhook-signature': signStandardWebhook(a.secrets[0]!, id, seconds, body) };
    }
    case 'github': {
      const a = auth as GithubAuth;
      return { 'x-github-delivery': id, 'x-github-event': options.githubEvent ?? githubEventOf(body), 'x-hub-signature-256': signGithub(a.secrets[0]!, body) };
    }
    case 'pagerduty': {
      const a = auth as PagerDutyAuth;
      return { 'x-webhook-id': id, 'x-pagerduty-signature': signPagerDuty(a.secrets, body) };
    }
    case 'grafana': {
      const a = auth as GrafanaAuth;
      const headers = authorization(a);
      if (!a.hmac) return headers;
      const stamped = a.hmac.timestampHeader !== undefined;
      return {
        ...headers,
        ...(stamped ? { [a.hmac.timestampHeader!]: String(seconds) } : {}),
        [a.hmac.signatureHeader]: signGrafana(a.hmac.secrets[0]!, body, stamped ? seconds : undefined),
      };
    }
    case 'alertmanager':
      return authorization(auth as AlertmanagerAuth);
  }
}
