import { createHash } from 'node:crypto';
import type { Secret } from '../../shared/secret';
import type { Actor } from '../../workflows/incident/messages';

export interface TokenHolder {
  token: Secret;
  personId: string;
  roles: string[];
}

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Maps API bearer tokens to people and their roles. Only SHA-256 digests are kept, and lookup is by digest, so
 * neither memory dumps nor response timing reveal a token.
 */
export class TokenDirectory {
  private readonly byDigest = new Map<string, Actor>();

  constructor(holders: readonly TokenHolder[]) {
    for (const holder of holders) this.byDigest.set(digest(holder.token.reveal()), { kind: 'person', id: holder.personId, roles: holder.roles });
  }

  /** The person a request acts as, from its `Authorization: Bearer <token>` header; undefined when absent or unknown. */
  authenticate(authorization: string | undefined): Actor | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    return match ? this.byDigest.get(digest(match[1]!)) : undefined;
  }
}
