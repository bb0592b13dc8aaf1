import type { PlannedCall } from '../vendor-kit/action';

/**
 * What an identity provider adapter supplies for the identity capabilities (`identity.disable-user`, its undo
 * `identity.enable-user`, `identity.revoke-sessions`, `identity.reset-factors`). Config picks one provider
 * (`containment.identity: okta | entra | google | ldap`); runbooks never name the vendor.
 */
export interface UserState {
  /** Whether the account can sign in right now (false: suspended, disabled or locked). */
  disabled: boolean;
}

/** One enrolled MFA factor as evidence keeps it: what and whose, never its profile (phone numbers, addresses). */
export interface EnrolledFactor {
  id: string;
  factorType: string;
  provider: string;
  status: string;
}

export interface IdentityProvider<S extends UserState = UserState> {
  vendor: string;
  /** Throws `containment.target_not_found` naming the user when there is no such user. */
  read(user: string): Promise<S>;
  disable(user: string, current: S): Promise<void>;
  enable(user: string, current: S): Promise<void>;
  /** Put back exactly the recorded state when the provider keeps more than enabled/disabled (LDAP lock times). */
  restore?(user: string, recorded: S, current: S): Promise<void>;
  revokeSessions(user: string): Promise<void>;
  resetFactors?(user: string): Promise<void>;
  /** The factors a reset would remove, recorded before and after it. */
  listFactors?(user: string): Promise<EnrolledFactor[]>;
  plan: {
    disable(user: string): PlannedCall[];
    enable(user: string): PlannedCall[];
    revokeSessions(user: string): PlannedCall[];
    resetFactors?(user: string): PlannedCall[];
  };
  /** Secret values its states must never contain. */
  secrets(): string[];
}
