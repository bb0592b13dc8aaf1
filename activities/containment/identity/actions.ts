import { ApplicationFailure } from '@temporalio/activity';
import type { z } from 'zod';
import { identityDisableUser, identityResetFactors, identityRevokeSessions } from '../../../runbooks/actions/identity';
import type { VendorAction } from '../vendor-kit/action';
import { VendorFailureType } from '../vendor-kit/failures';
import type { IdentityProvider, UserState } from './provider';

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

function oneWay<S extends UserState>(provider: IdentityProvider<S>, name: string, input: z.ZodType, act: (user: string) => Promise<void>, plan: (user: string) => ReturnType<IdentityProvider['plan']['disable']>): VendorAction<UserInput, S> {
  return {
    vendor: provider.vendor,
    name,
    input: input as unknown as z.ZodType<UserInput>,
    target: (i) => `user ${i.user}`,
    read: (i) => provider.read(i.user),
    run: (i) => act(i.user),
    // Sessions and enrolled factors cannot be handed back; the runbook declares no undo for these.
    restore: async () => undefined,
    plan: (i) => plan(i.user),
    planRestore: () => [],
    secrets: () => provider.secrets(),
  };
}

export function revokeSessionsAction<S extends UserState>(provider: IdentityProvider<S>): VendorAction<UserInput, S> {
  return oneWay(provider, 'identity.revoke-sessions', identityRevokeSessions.input, (user) => provider.revokeSessions(user), (user) => provider.plan.revokeSessions(user));
}

export function resetFactorsAction<S extends UserState>(provider: IdentityProvider<S>): VendorAction<UserInput, S> {
  const unsupported = (): never => {
    throw ApplicationFailure.create({ type: VendorFailureType.NotConfigured, message: `identity.reset-factors: ${provider.vendor} has no factor reset through Firebreak`, nonRetryable: true });
  };
  return oneWay(provider, 'identity.reset-factors', identityResetFactors.input, (user) => (provider.resetFactors ? provider.resetFactors(user) : unsupported()), (user) => provider.plan.resetFactors?.(user) ?? []);
}
