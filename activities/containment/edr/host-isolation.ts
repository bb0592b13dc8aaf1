import { HostInput } from '../../../runbooks/actions/host';
import type { PlannedCall, VendorAction } from '../vendor-kit/action';

/** What an EDR adapter records about a host: its id at the vendor, its name, and whether it is cut off. */
export interface HostState {
  id: string;
  hostname: string;
  /**
   * Isolated, or isolation requested and pending; released or release pending is `false`. EDR actions complete on
   * the agent a little later, so the state recorded right after a request names where the host is going.
   */
  isolated: boolean;
}

export { HostInput };

/** The vendor facts an EDR adapter supplies; `hostIsolation` turns them into the isolate action and its undo. */
export interface EdrVendor {
  vendor: string;
  read(input: HostInput): Promise<HostState>;
  isolate(input: HostInput, host: HostState): Promise<void>;
  release(input: HostInput, host: HostState): Promise<void>;
  planIsolate(input: HostInput): PlannedCall[];
  planRelease(input: HostInput): PlannedCall[];
  secrets?: () => string[];
}

/** The comment the EDR console shows with the action: the step's reason (runbooks name the incident in it). */
export const comment = (input: HostInput): string => input.reason ?? 'Isolated by a Firebreak incident runbook';

/**
 * `host.isolate` on one EDR: isolates a host that is not isolated yet; its undo (`host.release`) puts the host back
 * to the isolation recorded before the incident's step ran, so a host that was already isolated stays isolated.
 */
export function hostIsolation(edr: EdrVendor): VendorAction<HostInput, HostState> {
  const setIsolated = async (input: HostInput, current: HostState, isolated: boolean) => {
    if (current.isolated === isolated) return;
    await (isolated ? edr.isolate(input, current) : edr.release(input, current));
  };
  return {
    vendor: edr.vendor,
    name: 'host.isolate',
    input: HostInput,
    target: (input) => `host ${input.host}`,
    read: (input) => edr.read(input),
    run: (input, current) => setIsolated(input, current, true),
    restore: (input, recorded, current) => setIsolated(input, current, recorded?.isolated ?? false),
    plan: (input) => edr.planIsolate(input),
    planRestore: (input) => edr.planRelease(input),
    secrets: edr.secrets,
  };
}
