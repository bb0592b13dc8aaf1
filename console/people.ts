import type { ConsoleConfig } from './console-config';

export interface ConfiguredPerson {
  id: string;
  name?: string;
  email?: string;
  roles: string[];
}

export type Claims = Record<string, unknown>;

export type SignInRefusal = { refused: 'auth.claim_missing' | 'auth.unknown_person'; message: string };

/**
 * Who an identity provider's claims make a person in Firebreak: the configured person whose email (or id) equals the
 * person claim, with their configured roles plus the roles their groups map to. Someone the config does not name is
 * still a person when their groups grant a role (their id is the claim value); otherwise sign-in is refused.
 */
export function personFromClaims(
  claims: Claims,
  people: readonly ConfiguredPerson[],
  oidc: Pick<NonNullable<ConsoleConfig['oidc']>, 'personClaim' | 'groupsClaim' | 'groupRoles'>,
): { id: string; name?: string; roles: string[] } | SignInRefusal {
  const value = claims[oidc.personClaim];
  if (typeof value !== 'string' || value.trim() === '') return { refused: 'auth.claim_missing', message: `the identity provider sent no ${oidc.personClaim} claim` };
  const key = value.trim().toLowerCase();
  const person = people.find((p) => p.email?.toLowerCase() === key || p.id === key);
  const groups = oidc.groupsClaim ? claims[oidc.groupsClaim] : undefined;
  const groupRoles = (Array.isArray(groups) ? groups : typeof groups === 'string' ? [groups] : []).flatMap((g) => (typeof g === 'string' ? (oidc.groupRoles[g] ?? []) : []));
  const roles = [...new Set([...(person?.roles ?? []), ...groupRoles])];
  if (!person && groupRoles.length === 0) return { refused: 'auth.unknown_person', message: `${value} is not a Firebreak person and none of their groups maps to a role` };
  const name = typeof claims.name === 'string' ? claims.name : person?.name;
  return { id: person?.id ?? key, name, roles };
}
