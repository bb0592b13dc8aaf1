import { z } from 'zod';
import { defineAction, Text } from './define';

const UserInput = z.strictObject({ user: Text, reason: Text.optional() });

export const identityDisableUser = defineAction({
  name: 'identity.disable-user',
  description: 'Suspend a user account and revoke its sessions at the configured identity provider (Okta, Entra ID, Google Workspace, LDAP, or the generic HTTP contract).',
  input: UserInput,
  undo: 'identity.enable-user',
  disclosure: false,
});

export const identityEnableUser = defineAction({
  name: 'identity.enable-user',
  description: 'Re-enable a suspended user account; as an undo, put back the state recorded before it was suspended.',
  input: UserInput,
  disclosure: false,
});

export const identityRevokeSessions = defineAction({
  name: 'identity.revoke-sessions',
  description: 'End every session and refresh token of a user at the identity provider (cannot be undone).',
  input: UserInput,
  disclosure: false,
});

export const identityResetFactors = defineAction({
  name: 'identity.reset-factors',
  description: "Reset a user's enrolled MFA factors so they must enrol again (Okta; cannot be undone).",
  input: UserInput,
  disclosure: false,
});

export const identityActions = [identityDisableUser, identityEnableUser, identityRevokeSessions, identityResetFactors];
