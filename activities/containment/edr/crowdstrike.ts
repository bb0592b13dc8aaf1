import { ApplicationFailure } from '@temporalio/activity';
import { VendorFailureType } from '../vendor-kit/failures';
import type { VendorHttp, VendorRequest } from '../vendor-kit/vendor-http';
import { type EdrVendor, type HostInput, type HostState } from './host-isolation';

/** CrowdStrike's API base URL per Falcon cloud (the region the customer's CID lives in). */
export const FALCON_CLOUDS = {
  'us-1': 'https://api.crowdstrike.com',
  'us-2': 'https://api.us-2.crowdstrike.com',
  'eu-1': 'https://api.eu-1.crowdstrike.com',
  'us-gov-1': 'https://api.laggar.gcw.crowdstrike.com',
} as const;
export type FalconCloud = keyof typeof FALCON_CLOUDS;

const DEVICE_ID = /^[0-9a-f]{32}$/i;
// `contained` and `containment_pending` are where `contain` takes a host; `lift_containment_pending` is on its way back.
const ISOLATED = new Set(['contained', 'containment_pending']);

interface Device {
  device_id: string;
  hostname?: string;
  status?: string;
}

/** FQL string literal: the filter language escapes a quote and a backslash with a backslash. */
const fqlString = (value: string) => `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;

function refused(message: string, details: Record<string, unknown>): never {
  throw ApplicationFailure.create({ type: VendorFailureType.Refused, message, nonRetryable: true, details: [details] });
}

/**
 * CrowdStrike Falcon host containment (`devices-actions/v2` `contain` / `lift_containment`). The host is looked up
 * by hostname (or taken as a device id when it is one) before anything is sent; a hostname that matches several
 * devices is refused rather than guessed. Needs an API client with Hosts: Read and Write.
 */
export function crowdstrikeHosts(http: VendorHttp): EdrVendor {
  const lookup = (host: string): VendorRequest => ({
    method: 'GET',
    path: '/devices/queries/devices/v1',
    query: { filter: `hostname:${fqlString(host)}`, limit: '2' },
    target: `host ${host}`,
  });
  const action = (name: 'contain' | 'lift_containment', id: string, host: string): VendorRequest => ({
    method: 'POST',
    path: '/devices/entities/devices-actions/v2',
    query: { action_name: name },
    body: { ids: [id] },
    target: `host ${host}`,
  });

  async function deviceId(host: string): Promise<string> {
    if (DEVICE_ID.test(host)) return host.toLowerCase();
    const found = await http.send<{ resources?: string[] }>(lookup(host));
    const ids = found.body?.resources ?? [];
    if (ids.length === 0) {
      throw ApplicationFailure.create({ type: VendorFailureType.TargetNotFound, message: `host ${host} not found at crowdstrike`, nonRetryable: true, details: [{ vendor: 'crowdstrike', host }] });
    }
    if (ids.length > 1) refused(`hostname ${host} matches more than one crowdstrike device; name the device id`, { vendor: 'crowdstrike', host });
    return ids[0]!;
  }

  return {
    vendor: 'crowdstrike',
    async read(input: HostInput): Promise<HostState> {
      const id = await deviceId(input.host);
      const details = await http.send<{ resources?: Device[] }>({ method: 'GET', path: '/devices/entities/devices/v2', query: { ids: id }, target: `host ${input.host}` });
      const device = details.body?.resources?.[0];
      if (!device) throw ApplicationFailure.create({ type: VendorFailureType.TargetNotFound, message: `host ${input.host} not found at crowdstrike`, nonRetryable: true, details: [{ vendor: 'crowdstrike', id }] });
      return { id, hostname: device.hostname ?? input.host, isolated: ISOLATED.has(device.status ?? 'normal') };
    },
    isolate: async (input, host) => void (await http.send(action('contain', host.id, input.host))),
    release: async (input, host) => void (await http.send(action('lift_containment', host.id, input.host))),
    planIsolate: (input) => [
      ...(DEVICE_ID.test(input.host) ? [] : [{ vendor: 'crowdstrike', operation: 'look up the device id', request: http.plan(lookup(input.host)) }]),
      { vendor: 'crowdstrike', operation: 'contain the host', request: http.plan(action('contain', '<device id>', input.host)), when: 'only if it is not contained already' },
    ],
    planRelease: (input) => [
      { vendor: 'crowdstrike', operation: 'lift containment', request: http.plan(action('lift_containment', '<device id>', input.host)), when: 'only if it was not contained before the incident' },
    ],
  };
}
