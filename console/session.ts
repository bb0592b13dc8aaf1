import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** A signed-in person as the console's session cookie carries them. Roles are fixed at sign-in for the session's life. */
export const Session = z.object({
  sid: z.string().min(16),
  personId: z.string().min(1).max(128),
  name: z.string().max(200).optional(),
  roles: z.array(z.string()),
  via: z.enum(['oidc', 'token']),
  /** The provider's ID token, the hint its end-session endpoint takes at sign-out (absent when it would not fit). */
  idToken: z.string().max(4096).optional(),
  exp: z.number().int(),
});
export type Session = z.infer<typeof Session>;

/** What the sign-in round trip to the identity provider needs back at the callback (PKCE verifier, state, nonce). */
export const OidcFlow = z.object({ verifier: z.string(), state: z.string(), nonce: z.string(), returnTo: z.string(), exp: z.number().int() });
export type OidcFlow = z.infer<typeof OidcFlow>;

type Purpose = 'session' | 'oidc-flow' | 'flash';

/**
 * Seals cookie values with AES-256-GCM under a key derived from the configured secret, so sessions need no store
 * (any replica sharing the secret reads them) and a client can neither read nor alter them. The purpose is bound as
 * associated data: a sign-in flow cookie never passes as a session. Expired values unseal to undefined.
 */
export class CookieSealer {
  private readonly key: Buffer;
  private readonly csrfKey: Buffer;

  constructor(secret: string, private readonly now: () => number = Date.now) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'firebreak-console', 'cookie sealing v1', 32));
    this.csrfKey = Buffer.from(hkdfSync('sha256', secret, 'firebreak-console', 'csrf tokens v1', 32));
  }

  seal<T extends { exp: number }>(purpose: Purpose, value: T): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  unseal<T extends { exp: number }>(purpose: Purpose, schema: z.ZodType<T>, text: string | undefined): T | undefined {
    if (!text || text.length > 8192) return undefined;
    try {
      const raw = Buffer.from(text, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(raw.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      const parsed = schema.safeParse(JSON.parse(plain));
      return parsed.success && parsed.data.exp > this.now() ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** The session's CSRF token: every form carries it, and only a page rendered for this session can know it. */
  csrfToken(session: Pick<Session, 'sid'>): string {
    return createHmac('sha256', this.csrfKey).update(session.sid).digest('base64url');
  }

  csrfValid(session: Pick<Session, 'sid'>, token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const expected = Buffer.from(this.csrfToken(session));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

export const newSessionId = (): string => randomBytes(18).toString('base64url');
