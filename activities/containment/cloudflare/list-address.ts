import { isIP } from 'node:net';
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../../../workflows/failure-types';

function invalid(message: string): never {
  throw ApplicationFailure.create({ type: FailureType.ActionInputInvalid, message: `network.block-ip: ${message}`, nonRetryable: true, details: [{ paths: ['ip'] }] });
}

/** The eight 16-bit groups of an IPv6 address; an embedded dotted IPv4 tail only fills the last two (zeroed). */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.replace(/\d+\.\d+\.\d+\.\d+$/, '0:0').split('::');
  const parse = (part: string) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** RFC 5952 text of eight groups: lower case, the longest run of two or more zero groups written `::`. */
function ipv6Text(groups: number[]): string {
  let best = { at: -1, length: 1 };
  for (let at = 0; at < 8; at++) {
    let length = 0;
    while (at + length < 8 && groups[at + length] === 0) length++;
    if (length > best.length) best = { at, length };
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}

/**
 * The item value a Cloudflare IP list takes for an address or range. The Lists API takes "an IPv4 address, an IPv4
 * CIDR, or an IPv6 CIDR" with IPv6 CIDRs "limited to a maximum of /64" (its published description): so a single IPv6
 * address is blocked as the /64 it belongs to (what one IPv6 host typically holds), and a longer IPv6 prefix is
 * refused rather than silently widened. A /32 IPv4 range is the address itself.
 */
export function listItemValue(ip: string): string {
  // An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is the IPv4 host it maps.
  const [address = '', prefixText, extra] = ip.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+(\/|$))/i, '').split('/');
  const family = isIP(address);
  const prefix = prefixText === undefined ? undefined : Number(prefixText);
  if (!family || extra !== undefined || (prefixText !== undefined && !/^\d+$/.test(prefixText))) invalid('expected an IPv4/IPv6 address or CIDR range');
  if (family === 4) {
    if (prefix === undefined || prefix === 32) return address;
    if (prefix > 32) invalid(`/${prefix} is not an IPv4 prefix`);
    return `${address}/${prefix}`;
  }
  if (prefix !== undefined && prefix > 64 && prefix !== 128) invalid('Cloudflare IP lists take IPv6 ranges of /64 or wider only');
  if (prefix !== undefined && prefix <= 64) return `${address.toLowerCase()}/${prefix}`;
  return `${ipv6Text([...ipv6Groups(address.toLowerCase()).slice(0, 4), 0, 0, 0, 0])}/64`;
}
