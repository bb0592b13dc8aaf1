import { isIP } from 'node:net';
import { ApplicationFailure } from '@temporalio/activity';
import { BlockIpInput } from '../../../runbooks/actions/network';
import { FailureType } from '../../../workflows/failure-types';
import type { PlannedCall, VendorAction } from '../vendor-kit/action';
import type { VendorHttp, VendorRequest } from '../vendor-kit/vendor-http';

/** Where the rule lives: an account's rules apply to all its zones, a zone's to that zone only. */
export type CloudflareScope = { account: string } | { zone: string };

export type BlockInput = BlockIpInput;

/** One IP Access rule on the address, as Cloudflare lists it. */
export interface AccessRule {
  id: string;
  mode: string;
  notes: string;
}

/** The rules on one address at one scope; the undo deletes exactly the rules that were not there before. */
export interface AddressRules {
  scope: string;
  target: 'ip' | 'ip6' | 'ip_range';
  value: string;
  rules: AccessRule[];
}

// IP Access rules take ranges only at these prefix lengths (the description's `cidr_configuration`).
const RANGE_PREFIXES = { 4: [16, 24], 6: [32, 48, 64] } as const;

function invalid(message: string): never {
  throw ApplicationFailure.create({ type: FailureType.ActionInputInvalid, message: `network.block-ip: ${message}`, nonRetryable: true, details: [{ paths: ['ip'] }] });
}

/** The rule configuration for an address or range; a /32 (or /128) is the address itself. */
export function configurationFor(ip: string): { target: AddressRules['target']; value: string } {
  const [address = '', prefixText, extra] = ip.trim().split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) invalid('expected an IPv4/IPv6 address or CIDR range');
  const single = family === 4 ? 'ip' : 'ip6';
  if (prefixText === undefined) return { target: single, value: address };
  const prefix = Number(prefixText);
  if (prefix === (family === 4 ? 32 : 128)) return { target: single, value: address };
  const allowed: readonly number[] = RANGE_PREFIXES[family as 4 | 6];
  if (!allowed.includes(prefix)) invalid(`Cloudflare IP Access rules take IPv${family} ranges of /${allowed.join(', /')} only`);
  return { target: 'ip_range', value: `${address}/${prefix}` };
}

/**
 * `network.block-ip` at Cloudflare: an IP Access rule with mode `block` on the address or range, at account or zone
 * level. An address that is already blocked is left as it is. The undo (`network.unblock-ip`) deletes exactly the
 * rules the step created (the ones that were not there before it ran, carrying its note), never a rule someone else
 * made. The expiry (`ttl`) is the workflow's: a durable timer runs the undo when it passes.
 * Needs an API token with Account Firewall Access Rules: Edit (account level) or Zone Firewall Services: Edit (zone).
 */
export function cloudflareBlock(http: VendorHttp, scope: CloudflareScope): VendorAction<BlockInput, AddressRules> {
  const base = 'account' in scope ? '/accounts/{scope}/firewall/access_rules/rules' : '/zones/{scope}/firewall/access_rules/rules';
  const scopeId = 'account' in scope ? scope.account : scope.zone;
  const scopeName = 'account' in scope ? `account ${scope.account}` : `zone ${scope.zone}`;
  const notes = (input: BlockInput) => `firebreak: ${input.reason ?? 'blocked by an incident runbook'}`;

  const list = (input: BlockInput): VendorRequest => {
    const { target, value } = configurationFor(input.ip);
    // The list filter knows `ip` and `ip_range` targets; an IPv6 address is found by its value alone.
    return { method: 'GET', path: base, params: { scope: scopeId }, query: { ...(target === 'ip6' ? {} : { 'configuration.target': target }), 'configuration.value': value, per_page: '50' }, target: `address ${input.ip}` };
  };
  const create = (input: BlockInput): VendorRequest => ({
    method: 'POST',
    path: base,
    params: { scope: scopeId },
    body: { mode: 'block', configuration: configurationFor(input.ip), notes: notes(input) },
    target: `address ${input.ip}`,
  });
  const remove = (id: string, input: BlockInput): VendorRequest => ({
    method: 'DELETE',
    path: `${base}/{rule}`,
    params: { scope: scopeId, rule: id },
    body: 'account' in scope ? {} : { cascade: 'none' },
    target: `IP Access rule ${id} on ${input.ip}`,
  });

  return {
    vendor: 'cloudflare',
    name: 'network.block-ip',
    input: BlockIpInput,
    target: (input) => `address ${input.ip} (${scopeName})`,
    async read(input) {
      const { target, value } = configurationFor(input.ip);
      const answer = await http.send<{ result?: { id: string; mode: string; notes?: string; configuration?: { value?: string } }[] }>(list(input));
      const rules = (answer.body?.result ?? [])
        .filter((rule) => rule.configuration?.value === undefined || rule.configuration.value === value)
        .map((rule) => ({ id: rule.id, mode: rule.mode, notes: rule.notes ?? '' }))
        .sort((a, b) => a.id.localeCompare(b.id));
      return { scope: scopeName, target, value, rules };
    },
    async run(input, current) {
      if (current.rules.some((rule) => rule.mode === 'block')) return;
      await http.send(create(input));
    },
    async restore(input, recorded, current) {
      const before = new Set((recorded?.rules ?? []).map((rule) => rule.id));
      // Without a recorded state (an unblock step on its own), only rules Firebreak made are removed.
      const ours = current.rules.filter((rule) => !before.has(rule.id) && rule.mode === 'block' && rule.notes.startsWith('firebreak:'));
      for (const rule of ours) await http.send(remove(rule.id, input));
    },
    plan: (input): PlannedCall[] => [
      { vendor: 'cloudflare', operation: `list IP Access rules on the address (${scopeName})`, request: http.plan(list(input)) },
      { vendor: 'cloudflare', operation: 'create a block rule', request: http.plan(create(input)), when: 'only if no block rule exists on the address' },
    ],
    planRestore: (input): PlannedCall[] => [
      { vendor: 'cloudflare', operation: `list IP Access rules on the address (${scopeName})`, request: http.plan(list(input)) },
      { vendor: 'cloudflare', operation: 'delete the rule the step created', request: http.plan(remove('<rule id>', input)), when: 'only rules that were not there before the step' },
    ],
  };
}
