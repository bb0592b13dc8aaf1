import type { ActionFn } from '../../workflows/runbook-interpreter/steps/action';
import { type CloudflareScope, cloudflareBlock } from './cloudflare/ip-access-rules';
import { type CloudflareList, cloudflareListBlock } from './cloudflare/list-items';
import type { EdrVendor } from './edr/host-isolation';
import { hostIsolation } from './edr/host-isolation';
import type { Cluster } from './kubernetes/cluster';
import { createCollectLogs } from './kubernetes/collect-logs';
import { kubernetesCordon } from './kubernetes/cordon';
import { kubernetesDeletePod } from './kubernetes/delete-pod';
import { kubernetesQuarantine } from './kubernetes/quarantine';
import { type VendorAction, forwardActivity, notConfigured, undoActivity } from './vendor-kit/action';
import type { StateEvidenceDeps } from './vendor-kit/state-evidence';
import type { VendorHttp } from './vendor-kit/vendor-http';

/**
 * The endpoint, edge and Kubernetes vendors (issue 14), as config chose them: one EDR for `host.*`
 * (`containment.host: crowdstrike | defender | sentinelone`), Cloudflare for `network.*` (`containment.network:
 * cloudflare`), and a cluster for `workload.*` and `node.*` (`vendors.kubernetes`).
 */
export interface EndpointVendorDeps {
  edr?: EdrVendor;
  /** `host.collect-package`, where the EDR has one (Defender for Endpoint's investigation package). */
  collectPackage?: (evidence: StateEvidenceDeps) => ActionFn;
  /** With `list` (account scope only), blocks are items in that custom IP list instead of IP Access rules. */
  cloudflare?: { http: VendorHttp; scope: CloudflareScope; list?: CloudflareList };
  kubernetes?: () => Cluster;
}

const pair = (out: Record<string, ActionFn>, forward: string, undo: string | undefined, action: VendorAction<never, unknown>, evidence: StateEvidenceDeps) => {
  const typed = action as unknown as VendorAction<unknown, unknown>;
  out[forward] = forwardActivity(typed, evidence);
  if (undo) out[undo] = undoActivity(typed, undo, evidence);
};

/** The Cloudflare block config chose: a custom-list item when a list is configured, else an IP Access rule. */
function cloudflareNetworkBlock(cf: NonNullable<EndpointVendorDeps['cloudflare']>): VendorAction<never, unknown> {
  const action = cf.list && 'account' in cf.scope ? cloudflareListBlock(cf.http, cf.scope.account, cf.list) : cloudflareBlock(cf.http, cf.scope);
  return action as unknown as VendorAction<never, unknown>;
}

const unconfigured = (capability: string, setting: string): ActionFn => async () => notConfigured(capability, setting);

/** The forward/undo vendor actions config chose (the activities below, and the dry runs of `runbook test --config`). */
export function endpointVendorActions(deps: EndpointVendorDeps): [forward: string, undo: string | undefined, action: VendorAction<never, unknown>][] {
  const out: [string, string | undefined, VendorAction<never, unknown>][] = [];
  if (deps.edr) out.push(['host.isolate', 'host.release', hostIsolation(deps.edr) as unknown as VendorAction<never, unknown>]);
  if (deps.cloudflare) out.push(['network.block-ip', 'network.unblock-ip', cloudflareNetworkBlock(deps.cloudflare)]);
  const cluster = deps.kubernetes;
  if (cluster) {
    out.push(['workload.quarantine', 'workload.release', kubernetesQuarantine(cluster) as unknown as VendorAction<never, unknown>]);
    out.push(['node.cordon', 'node.uncordon', kubernetesCordon(cluster) as unknown as VendorAction<never, unknown>]);
    out.push(['workload.delete', undefined, kubernetesDeletePod(cluster) as unknown as VendorAction<never, unknown>]);
  }
  return out;
}

/** Activities for the capabilities whose vendor is configured; Kubernetes ones fail with `containment.not_configured` otherwise. */
export function createEndpointVendorActivities(deps: EndpointVendorDeps, evidence: StateEvidenceDeps): Record<string, ActionFn> {
  const out: Record<string, ActionFn> = {};
  for (const [forward, undo, action] of endpointVendorActions(deps)) pair(out, forward, undo, action, evidence);
  out['host.collect-package'] = deps.collectPackage ? deps.collectPackage(evidence) : unconfigured('host.collect-package', 'containment.host: defender');
  if (deps.kubernetes) out['workload.collect-logs'] = createCollectLogs(deps.kubernetes, evidence);
  else for (const name of ['workload.quarantine', 'workload.release', 'node.cordon', 'node.uncordon', 'workload.delete', 'workload.collect-logs']) out[name] = unconfigured(name, 'vendors.kubernetes');
  return out;
}
