import { z } from 'zod';
import { defineAction, DurationInput, Text } from './define';

export const BlockIpInput = z.strictObject({ ip: Text, reason: Text.optional(), ttl: DurationInput.optional() });
export type BlockIpInput = z.infer<typeof BlockIpInput>;

export const networkBlockIp = defineAction({
  name: 'network.block-ip',
  description: 'Block an IP address or CIDR range at the perimeter firewall, optionally for a limited time.',
  input: BlockIpInput,
  undo: 'network.unblock-ip',
  disclosure: false,
});

export const networkUnblockIp = defineAction({
  name: 'network.unblock-ip',
  description: 'Remove a block on an IP address or CIDR range.',
  input: z.strictObject({ ip: Text, reason: Text.optional() }),
  disclosure: false,
});

export const networkActions = [networkBlockIp, networkUnblockIp];
