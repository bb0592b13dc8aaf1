import { ApplicationFailure } from '@temporalio/activity';
import { VendorFailureType } from '../vendor-kit/failures';
import type { VendorHttp, VendorRequest } from '../vendor-kit/vendor-http';
import type { EdrVendor, HostState } from './host-isolation';

const AGENT_ID = /^\d{15,20}$/;
// `disconnecting` is where `disconnect` takes an agent; `connecting` is on its way back.
const ISOLATED = new Set(['disconnected', 'disconnecting']);

interface Agent {
  id: string;
  computerName?: string;
  networkStatus?: string;
}

/**
 * SentinelOne network quarantine (`agents/actions/disconnect` / `connect`), one agent at a time by id, looked up by
 * computer name first. Needs a service user with the Endpoints "Disconnect From Network" and "Reconnect To Network"
 * permissions (and Endpoints view) on the sites it covers.
 */
export function sentineloneAgents(http: VendorHttp): EdrVendor {
  const lookup = (host: string): VendorRequest => ({
    method: 'GET',
    path: '/web/api/v2.1/agents',
    query: AGENT_ID.test(host) ? { ids: host } : { computerName: host, limit: '2' },
    target: `host ${host}`,
  });
  const action = (verb: 'disconnect' | 'connect', id: string, host: string): VendorRequest => ({
    method: 'POST',
    path: `/web/api/v2.1/agents/actions/${verb}`,
    body: { filter: { ids: [id] } },
    target: `host ${host}`,
  });
  return {
    vendor: 'sentinelone',
    async read(input): Promise<HostState> {
      const agents = (await http.send<{ data?: Agent[] }>(lookup(input.host))).body?.data ?? [];
      if (agents.length === 0) throw ApplicationFailure.create({ type: VendorFailureType.TargetNotFound, message: `host ${input.host} not found at sentinelone`, nonRetryable: true, details: [{ vendor: 'sentinelone', host: input.host }] });
      if (agents.length > 1) {
        throw ApplicationFailure.create({ type: VendorFailureType.Refused, message: `computer name ${input.host} matches more than one sentinelone agent; name the agent id`, nonRetryable: true, details: [{ vendor: 'sentinelone', host: input.host }] });
      }
      const agent = agents[0]!;
      return { id: agent.id, hostname: agent.computerName ?? input.host, isolated: ISOLATED.has(agent.networkStatus ?? 'connected') };
    },
    isolate: async (input, host) => void (await http.send(action('disconnect', host.id, input.host))),
    release: async (input, host) => void (await http.send(action('connect', host.id, input.host))),
    planIsolate: (input) => [
      { vendor: 'sentinelone', operation: 'look up the agent', request: http.plan(lookup(input.host)) },
      { vendor: 'sentinelone', operation: 'disconnect the agent from the network', request: http.plan(action('disconnect', '<agent id>', input.host)), when: 'only if it is connected' },
    ],
    planRelease: (input) => [
      { vendor: 'sentinelone', operation: 'reconnect the agent', request: http.plan(action('connect', '<agent id>', input.host)), when: 'only if it was connected before the incident' },
    ],
  };
}
