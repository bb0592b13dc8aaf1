import { z } from 'zod';
import type { AuthResult, InboundDelivery } from '../source-kind';
import { accepted, refused } from './auth-result';
import { matchesAny, secretsEqual } from './crypto';

export const BasicCredentials = z.object({ username: z.string().min(1), password: z.string().min(1) });
export type BasicCredentials = z.infer<typeof BasicCredentials>;

/**
 * Credentials a sender puts in the `Authorization` header (Alertmanager's and Grafana's `http_config`). Several
 * entries of each allow rotation: configure old and new, switch the sender, then drop the old one.
 */
export const HttpCredentials = z.object({
  bearerTokens: z.array(z.string().min(1)).min(1).optional(),
  basicAuth: z.array(BasicCredentials).min(1).optional(),
});
export type HttpCredentials = z.infer<typeof HttpCredentials>;

export function hasCredentials(creds: HttpCredentials): boolean {
  return creds.bearerTokens !== undefined || creds.basicAuth !== undefined;
}

type PresentedCredentials = { scheme: 'bearer'; token: string } | { scheme: 'basic'; username: string; password: string };

/** Parses `Bearer <token>` or `Basic <base64(user:password)>`; undefined when the header has neither form. */
export function parseAuthorization(header: string): PresentedCredentials | undefined {
  const match = /^(\S+) +(\S+)$/.exec(header.trim());
  if (!match) return undefined;
  const [, scheme = '', value = ''] = match;
  switch (scheme.toLowerCase()) {
    case 'bearer':
      return { scheme: 'bearer', token: value };
    case 'basic': {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return undefined;
      return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    default:
      return undefined;
  }
}

/**
 * Authenticates the `Authorization` header against configured bearer tokens or basic credentials, in constant time.
 * A scheme that is not configured (basic sent, only bearer tokens configured) is `auth.bad_signature`, not malformed.
 */
export function authenticateCredentials(delivery: InboundDelivery, creds: HttpCredentials): AuthResult {
  const header = delivery.headers['authorization'];
  if (header === undefined || header === '') return refused('auth.missing', 'no Authorization header');
  const presented = parseAuthorization(header);
  if (!presented) return refused('auth.malformed', 'Authorization is neither Bearer nor Basic');
  const ok =
    presented.scheme === 'bearer'
      ? matchesAny([presented.token], creds.bearerTokens ?? [], secretsEqual)
      : matchesAny([presented], creds.basicAuth ?? [], (p, c) => {
          // Evaluate both comparisons so a right username with a wrong password takes as long as a wrong username.
          const userOk = secretsEqual(p.username, c.username);
          const passwordOk = secretsEqual(p.password, c.password);
          return userOk && passwordOk;
        });
  return ok ? accepted : refused('auth.bad_signature', `${presented.scheme} credentials do not match`);
}
