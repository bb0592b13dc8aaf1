import { ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';
import { identityDisableUser, identityResetFactors, identityRevokeSessions } from '../../../runbooks/actions/identity';
import type { VendorAction } from '../vendor-kit/action';
import { VendorFailureType } from '../vendor-kit/failures';
import type { EnrolledFactor, IdentityProvider, UserState } from './provider';

type UserInput = { user: string; reason?: string };

/**
 * The identity capabilities over any provider. Disabling suspends (when the account is not already) and always
 * revokes sessions, since a suspended account's existing tokens may still work. The undo re-enables only an account
 * that was enabled when the incident began, so a user suspended before it stays suspended after.
 */
export function disableUserAction<S extends UserState>(provider: IdentityProvider<S>): VendorAction<UserInput, S> {
  return {
    vendor: provider.vendor,
    name: 'identity.disable-user',
    input: identityDisableUser.input as unknown as z.ZodType<UserInput>,
    target: (input) => `user ${input.user}`,
    read: (input) => provider.read(input.user),
    run: async (input, current) => {
      if (!current.disabled) await provider.disable(input.user, current);
      await provider.revokeSessions(input.user);
    },
    restore: async (input, recorded, current) => {
      if (!recorded) {
        if (current.disabled) await provider.enable(input.user, current);
      } else if (provider.restore) await provider.restore(input.user, recorded, current);
      else if (!recorded.disabled && current.disabled) await provider.enable(input.user, current);
    },
    plan: (input) => [...provider.plan.disable(input.user), ...provider.plan.revokeSessions(input.user)],
    planRestore: (input) => provider.plan.enable(input.user),
    secrets: () => provider.secrets(),
  };
}

/**
 * Sessions and enrolled factors cannot be handed back: these actions register no undo (a runbook's `compensate: true`
 * on them is a load-time error, step.no_undo), and their outcome says why.
 */
function oneWay<S extends UserState>(
  provider: IdentityProvider<S>,
  name: string,
  input: z.ZodType,
  irreversible: string,
  act: (user: string, current: S) => Promise<void>,
  plan: (user: string) => ReturnType<IdentityProvider['plan']['disable']>,
  read: (user: string) => Promise<S> = (user) => provider.read(user),
): VendorAction<UserInput, S> {
  return {
    vendor: provider.vendor,
    name,
    input: input as unknown as z.ZodType<UserInput>,
    target: (i) => `user ${i.user}`,
    read: (i) => read(i.user),
    run: (i, current) => act(i.user, current),
    restore: async () => undefined,
    plan: (i) => plan(i.user),
    planRestore: () => [],
    secrets: () => provider.secrets(),
    irreversible,
  };
}

export function revokeSessionsAction<S extends UserState>(provider: IdentityProvider<S>): VendorAction<UserInput, S> {
  return oneWay(provider, 'identity.revoke-sessions', identityRevokeSessions.input, 'ended sessions cannot be restored; the user signs in again', (user) => provider.revokeSessions(user), (user) => provider.plan.revokeSessions(user));
}

/** The user's state with the factors enrolled (where the provider can list them), so the evidence names what was reset. */
export type FactorsState<S extends UserState> = S & { factors?: EnrolledFactor[] };

export function resetFactorsAction<S extends UserState>(provider: IdentityProvider<S>): VendorAction<UserInput, FactorsState<S>> {
  const unsupported = (): never => {
    throw ApplicationFailure.create({ type: VendorFailureType.NotConfigured, message: `identity.reset-factors: ${provider.vendor} has no factor reset through Firebreak`, nonRetryable: true });
  };
  const read = async (user: string): Promise<FactorsState<S>> => {
    // Fail before any request when the provider cannot reset factors.
    if (!provider.resetFactors) return unsupported();
    const state = await provider.read(user);
    return provider.listFactors ? { ...state, factors: await provider.listFactors(user) } : state;
  };
  // Nothing enrolled (a retry after the reset, or a user who never enrolled): nothing to send.
  const act = async (user: string, current: FactorsState<S>) => {
    if (current.factors?.length === 0) return;
    await (provider.resetFactors ?? unsupported)(user);
  };
  const irreversible = 'enrolled factors cannot be restored; the user enrols them again';
  return oneWay<FactorsState<S>>(provider as IdentityProvider<FactorsState<S>>, 'identity.reset-factors', identityResetFactors.input, irreversible, act, (user) => provider.plan.resetFactors?.(user) ?? [], read);
}
