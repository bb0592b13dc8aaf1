import type { ActionFn } from '../../workflows/runbook-interpreter/steps/action';
import { type CloudflareScope, cloudflareBlock } from './cloudflare/ip-access-rules';
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
  cloudflare?: { http: VendorHttp; scope: CloudflareScope };
  kubernetes?: () => Cluster;
}

const pair = (out: Record<string, ActionFn>, forward: string, undo: string | undefined, action: VendorAction<never, unknown>, evidence: StateEvidenceDeps) => {
  const typed = action as unknown as VendorAction<unknown, unknown>;
  out[forward] = forwardActivity(typed, evidence);
  if (undo) out[undo] = undoActivity(typed, undo, evidence);
};

const unconfigured = (capability: string, setting: string): ActionFn => async () => notConfigured(capability, setting);

/** Activities for the capabilities whose vendor is configured; Kubernetes ones fail with `containment.not_configured` otherwise. */
export function createEndpointVendorActivities(deps: EndpointVendorDeps, evidence: StateEvidenceDeps): Record<string, ActionFn> {
  const out: Record<string, ActionFn> = {};
  if (deps.edr) pair(out, 'host.isolate', 'host.release', hostIsolation(deps.edr) as unknown as VendorAction<never, unknown>, evidence);
  out['host.collect-package'] = deps.collectPackage ? deps.collectPackage(evidence) : unconfigured('host.collect-package', 'containment.host: defender');
  if (deps.cloudflare) pair(out, 'network.block-ip', 'network.unblock-ip', cloudflareBlock(deps.cloudflare.http, deps.cloudflare.scope) as unknown as VendorAction<never, unknown>, evidence);
  const cluster = deps.kubernetes;
  if (cluster) {
    pair(out, 'workload.quarantine', 'workload.release', kubernetesQuarantine(cluster) as unknown as VendorAction<never, unknown>, evidence);
    pair(out, 'node.cordon', 'node.uncordon', kubernetesCordon(cluster) as unknown as VendorAction<never, unknown>, evidence);
    pair(out, 'workload.delete', undefined, kubernetesDeletePod(cluster) as unknown as VendorAction<never, unknown>, evidence);
    out['workload.collect-logs'] = createCollectLogs(cluster, evidence);
  } else {
    for (const name of ['workload.quarantine', 'workload.release', 'node.cordon', 'node.uncordon', 'workload.delete', 'workload.collect-logs']) out[name] = unconfigured(name, 'vendors.kubernetes');
  }
  return out;
}
