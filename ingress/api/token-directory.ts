import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Secret } from '../../shared/secret';
import type { Actor } from '../../workflows/incident/messages';

/** What a token may do: `read` incidents and evidence, `decide` steps (and add evidence), `declare` incidents, `admin` (the audit witness). */
export const TokenScope = z.enum(['read', 'decide', 'declare', 'admin']);
export type TokenScope = z.infer<typeof TokenScope>;
export const ALL_SCOPES: readonly TokenScope[] = TokenScope.options;

export interface TokenHolder {
  /** The token itself (resolved from a secret reference), or only its SHA-256 (hex) when the config holds that. */
  token?: Secret;
  sha256?: string;
  personId: string;
  roles: string[];
  /** Default: every scope. */
  scopes?: readonly TokenScope[];
  /** After this instant the token is refused (`auth.expired`). */
  expiresAt?: Date;
}

export type Authorization = { ok: true; actor: Actor; scopes: readonly TokenScope[] } | { ok: false; code: 'auth.missing' | 'auth.expired' };

const digest = (token: string): Buffer => createHash('sha256').update(token).digest();

interface Entry {
  digest: Buffer;
  actor: Actor;
  scopes: readonly TokenScope[];
  expiresAt?: Date;
}

/**
 * Maps API bearer tokens to people, their roles and the token's scopes. Only SHA-256 digests are kept, and every
 * request's digest is compared with every known one in constant time, so neither memory dumps nor response timing
 * reveal a token or which one nearly matched.
 */
export class TokenDirectory {
  private readonly entries: Entry[] = [];

  constructor(
    holders: readonly TokenHolder[],
    private readonly now: () => Date = () => new Date(),
  ) {
    for (const holder of holders) {
      const d = holder.token ? digest(holder.token.reveal()) : Buffer.from(holder.sha256 ?? '', 'hex');
      if (d.length !== 32) throw new TypeError(`token of ${holder.personId} needs a value or a 64-hex sha256`);
      this.entries.push({ digest: d, actor: { kind: 'person', id: holder.personId, roles: holder.roles }, scopes: holder.scopes ?? ALL_SCOPES, expiresAt: holder.expiresAt });
    }
  }

  /** Who an `Authorization: Bearer <token>` header acts as, with the token's scopes; refused when unknown or expired. */
  authorize(authorization: string | undefined): Authorization {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return { ok: false, code: 'auth.missing' };
    const presented = digest(match[1]!);
    let found: Entry | undefined;
    // No early exit: the time taken does not depend on which entry (if any) matched.
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, presented) && !found) found = entry;
    if (!found) return { ok: false, code: 'auth.missing' };
    if (found.expiresAt && found.expiresAt.getTime() <= this.now().getTime()) return { ok: false, code: 'auth.expired' };
    return { ok: true, actor: found.actor, scopes: found.scopes };
  }

  /** The person a request acts as; undefined when the token is absent, unknown or expired. */
  authenticate(authorization: string | undefined): Actor | undefined {
    const result = this.authorize(authorization);
    return result.ok ? result.actor : undefined;
  }
}
