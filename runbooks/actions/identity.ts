import { z } from 'zod';
import { defineAction, Text } from './define';

const UserInput = z.strictObject({ user: Text, reason: Text.optional() });

export const identityDisableUser = defineAction({
  name: 'identity.disable-user',
  description: 'Suspend a user account and revoke its sessions at the identity provider.',
  input: UserInput,
  undo: 'identity.enable-user',
  disclosure: false,
});

export const identityEnableUser = defineAction({
  name: 'identity.enable-user',
  description: 'Re-enable a suspended user account.',
  input: UserInput,
  disclosure: false,
});

export const identityActions = [identityDisableUser, identityEnableUser];
