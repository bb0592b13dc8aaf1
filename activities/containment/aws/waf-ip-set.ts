import { isIP } from 'node:net';
import { GetIPSetCommand, UpdateIPSetCommand } from '@aws-sdk/client-wafv2';
import type { z } from 'zod';
import { networkBlockIp } from '../../../runbooks/actions/network';
import { notConfigured, type VendorAction } from '../vendor-kit/action';
import { awsCall } from './errors';
import type { AwsClients } from './session';

type BlockInput = { ip: string; reason?: string; ttl?: string };
export interface IpSetState {
  ipSet: string;
  address: string;
  /** Whether the address was in the IP set. */
  present: boolean;
}

/** WAF stores CIDR ranges; a bare address becomes its /32 or /128. */
export function cidrOf(ip: string): string {
  const trimmed = ip.trim();
  if (trimmed.includes('/')) return trimmed;
  return `${trimmed}/${isIP(trimmed) === 6 ? 128 : 32}`;
}

function ipSetFor(aws: AwsClients, address: string) {
  const sets = aws.settings.wafIpSets;
  const set = isIP(address.split('/')[0]!) === 6 ? sets?.ipv6 : sets?.ipv4;
  if (!sets || !set) return notConfigured('network.block-ip', `vendors.aws.wafIpSets.${isIP(address.split('/')[0]!) === 6 ? 'ipv6' : 'ipv4'}`);
  return { Name: set.name, Id: set.id, Scope: sets.scope };
}

async function read(aws: AwsClients, address: string) {
  const id = ipSetFor(aws, address);
  const answer = await awsCall('wafv2:GetIPSet', `IP set ${id.Name}`, () => aws.waf.send(new GetIPSetCommand(id)));
  return { id, lockToken: answer.LockToken!, addresses: answer.IPSet?.Addresses ?? [] };
}

async function update(aws: AwsClients, address: string, change: (addresses: string[]) => string[]): Promise<void> {
  // Read just before writing: the lock token makes a concurrent edit fail (retried) rather than be overwritten.
  const { id, lockToken, addresses } = await read(aws, address);
  await awsCall('wafv2:UpdateIPSet', `IP set ${id.Name}`, () => aws.waf.send(new UpdateIPSetCommand({ ...id, Addresses: change(addresses), LockToken: lockToken })));
}

/** `network.block-ip` through an AWS WAFv2 IP set (referenced by a block rule in the web ACL); undo removes the address. */
export function awsWafBlockIp(aws: AwsClients): VendorAction<BlockInput, IpSetState> {
  return {
    vendor: 'aws',
    name: 'network.block-ip',
    input: networkBlockIp.input as unknown as z.ZodType<BlockInput>,
    target: (input) => `address ${cidrOf(input.ip)}`,
    read: async (input) => {
      const address = cidrOf(input.ip);
      const { id, addresses } = await read(aws, address);
      return { ipSet: id.Name, address, present: addresses.includes(address) };
    },
    run: async (input, current) => {
      if (!current.present) await update(aws, current.address, (addresses) => (addresses.includes(current.address) ? addresses : [...addresses, current.address]));
    },
    restore: async (_input, recorded, current) => {
      if (recorded?.present || !current.present) return;
      await update(aws, current.address, (addresses) => addresses.filter((a) => a !== current.address));
    },
    plan: (input) => [{ vendor: 'aws', operation: 'wafv2:UpdateIPSet', request: { ...ipSetFor(aws, cidrOf(input.ip)), Addresses: ['<current addresses>', cidrOf(input.ip)], LockToken: '<from GetIPSet>' } }],
    planRestore: (input) => [{ vendor: 'aws', operation: 'wafv2:UpdateIPSet', request: { ...ipSetFor(aws, cidrOf(input.ip)), Addresses: [`<current addresses without ${cidrOf(input.ip)}>`] }, when: 'it was not there before' }],
  };
}
