import { ApplicationFailure } from '@temporalio/activity';
import { VendorFailureType } from '../vendor-kit/failures';
import type { VendorHttp, VendorRequest } from '../vendor-kit/vendor-http';
import { type EdrVendor, type HostInput, type HostState, comment } from './host-isolation';

const MACHINE_ID = /^[0-9a-f]{40}$/i;
// A machine action that did not happen leaves the isolation as it was.
const NOT_APPLIED = new Set(['Failed', 'Cancelled', 'TimeOut']);

export interface Machine {
  id: string;
  computerDnsName?: string;
}

export interface MachineAction {
  id: string;
  type: string;
  status: string;
  creationDateTimeUtc: string;
}

/** OData string literal: a quote is doubled. */
export const odata = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** The machine a host names: by its 40-hex id, or by DNS name (exactly one match, or the step fails saying why). */
export async function defenderMachine(http: VendorHttp, host: string): Promise<Machine> {
  if (MACHINE_ID.test(host)) {
    return (await http.send<Machine>({ method: 'GET', path: '/api/machines/{id}', params: { id: host.toLowerCase() }, target: `host ${host}` })).body;
  }
  const found = (await http.send<{ value?: Machine[] }>({ method: 'GET', path: '/api/machines', query: { $filter: `computerDnsName eq ${odata(host)}` }, target: `host ${host}` })).body?.value ?? [];
  if (found.length === 0) throw ApplicationFailure.create({ type: VendorFailureType.TargetNotFound, message: `host ${host} not found at defender`, nonRetryable: true, details: [{ vendor: 'defender', host }] });
  if (found.length > 1) {
    throw ApplicationFailure.create({ type: VendorFailureType.Refused, message: `hostname ${host} matches more than one defender machine; name the machine id`, nonRetryable: true, details: [{ vendor: 'defender', host }] });
  }
  return found[0]!;
}

/**
 * Microsoft Defender for Endpoint machine isolation (`isolate` Full or Selective / `unisolate`), each with the
 * step's comment. Defender has no isolation flag on the machine, so the state is read from the machine's latest
 * isolate or unisolate action that did not fail. Needs the application permissions Machine.Read.All and
 * Machine.Isolate on the WindowsDefenderATP API.
 */
export function defenderMachines(http: VendorHttp): EdrVendor {
  const byName = (host: string): VendorRequest => ({ method: 'GET', path: '/api/machines', query: { $filter: `computerDnsName eq ${odata(host)}` }, target: `host ${host}` });
  const isolateRequest = (input: HostInput, id: string): VendorRequest => ({
    method: 'POST',
    path: '/api/machines/{id}/isolate',
    params: { id },
    body: { Comment: comment(input), IsolationType: input.isolation === 'selective' ? 'Selective' : 'Full' },
    target: `host ${input.host}`,
  });
  const unisolateRequest = (input: HostInput, id: string): VendorRequest => ({
    method: 'POST',
    path: '/api/machines/{id}/unisolate',
    params: { id },
    body: { Comment: comment(input) },
    target: `host ${input.host}`,
  });

  const machine = (host: string) => defenderMachine(http, host);

  return {
    vendor: 'defender',
    async read(input): Promise<HostState> {
      const found = await machine(input.host);
      const actions = await http.send<{ value?: MachineAction[] }>({
        method: 'GET',
        path: '/api/machineactions',
        query: { $filter: `machineId eq ${odata(found.id)}`, $top: '1000' },
        target: `host ${input.host}`,
      });
      const latest = (actions.body?.value ?? [])
        .filter((a) => (a.type === 'Isolate' || a.type === 'Unisolate') && !NOT_APPLIED.has(a.status))
        .sort((a, b) => b.creationDateTimeUtc.localeCompare(a.creationDateTimeUtc))[0];
      return { id: found.id, hostname: found.computerDnsName ?? input.host, isolated: latest?.type === 'Isolate' };
    },
    isolate: async (input, host) => void (await http.send(isolateRequest(input, host.id))),
    release: async (input, host) => void (await http.send(unisolateRequest(input, host.id))),
    planIsolate: (input) => [
      ...(MACHINE_ID.test(input.host) ? [] : [{ vendor: 'defender', operation: 'look up the machine', request: http.plan(byName(input.host)) }]),
      { vendor: 'defender', operation: 'isolate the machine', request: http.plan(isolateRequest(input, '<machine id>')), when: 'only if it is not isolated already' },
    ],
    planRelease: (input) => [
      { vendor: 'defender', operation: 'release the machine', request: http.plan(unisolateRequest(input, '<machine id>')), when: 'only if it was not isolated before the incident' },
    ],
  };
}
