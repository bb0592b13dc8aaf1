import { z } from 'zod';
import { crowdstrikeHosts, FALCON_CLOUDS } from '../activities/containment/edr/crowdstrike';
import { defenderMachines } from '../activities/containment/edr/defender';
import { createDefenderCollectPackage } from '../activities/containment/edr/defender-package';
import { sentineloneAgents } from '../activities/containment/edr/sentinelone';
import type { EdrVendor } from '../activities/containment/edr/host-isolation';
import type { EndpointVendorDeps } from '../activities/containment/endpoint-vendors';
import { connect } from '../activities/containment/kubernetes/cluster';
import { clientCredentials, staticToken } from '../activities/containment/vendor-kit/oauth-token';
import { createVendorHttp } from '../activities/containment/vendor-kit/vendor-http';
import { resolveSecret } from './secret';

/** A secret reference (`env:NAME` or `file:PATH`), resolved at start (a bad one stops the worker) and at every call. */
const SecretRef = z.string().min(1);
const HttpsUrl = z.string().url().refine((url) => /^https?:\/\//.test(url), 'expected an https URL');
const CloudflareId = z.string().regex(/^[0-9a-f]{32}$/, 'Cloudflare account and zone ids are 32 hex characters');

/**
 * Settings of the endpoint, edge and Kubernetes vendors. Which one serves a capability is `containment.host`
 * (crowdstrike, defender or sentinelone) and `containment.network` (cloudflare); Kubernetes serves `workload.*` and
 * `node.*` whenever it is configured. `baseUrl`/`apiUrl`/`tokenUrl` exist for regional and sovereign clouds (and tests).
 */
export const EndpointVendorsConfig = z.object({
  crowdstrike: z
    .strictObject({
      cloud: z.enum(Object.keys(FALCON_CLOUDS) as [keyof typeof FALCON_CLOUDS]).default('us-1'),
      baseUrl: HttpsUrl.optional(),
      clientId: z.string().min(1),
      clientSecret: SecretRef,
    })
    .optional(),
  defender: z
    .strictObject({
      tenantId: z.string().min(1),
      clientId: z.string().min(1),
      clientSecret: SecretRef,
      apiUrl: HttpsUrl.default('https://api.securitycenter.microsoft.com'),
      tokenUrl: HttpsUrl.optional(),
    })
    .optional(),
  sentinelone: z.strictObject({ url: HttpsUrl, apiToken: SecretRef }).optional(),
  cloudflare: z
    .strictObject({
      apiToken: SecretRef,
      accountId: CloudflareId.optional(),
      zoneId: CloudflareId.optional(),
      // Block by adding to an account's custom IP list (a WAF custom rule uses it) instead of an IP Access rule.
      list: z.union([z.strictObject({ id: CloudflareId }), z.strictObject({ name: z.string().regex(/^[A-Za-z0-9_]{1,50}$/, 'Cloudflare list names are 1-50 letters, digits or _') })]).optional(),
      baseUrl: HttpsUrl.default('https://api.cloudflare.com/client/v4'),
    })
    .refine((c) => (c.accountId === undefined) !== (c.zoneId === undefined), { message: 'name exactly one of accountId (rules for every zone of the account) or zoneId', path: ['accountId'] })
    .refine((c) => c.list === undefined || c.accountId !== undefined, { message: 'custom lists belong to an account: set accountId, not zoneId', path: ['list'] })
    .optional(),
  kubernetes: z
    .strictObject({ inCluster: z.boolean().optional(), kubeconfig: SecretRef.optional(), context: z.string().min(1).optional() })
    .refine((k) => (k.inCluster === true) !== (k.kubeconfig !== undefined), { message: 'set either inCluster: true or kubeconfig (a secret reference to its YAML)', path: ['kubeconfig'] })
    .optional(),
});
export type EndpointVendorsConfig = z.infer<typeof EndpointVendorsConfig>;

export const EDR_VENDORS = ['crowdstrike', 'defender', 'sentinelone'] as const;
export const EDGE_VENDORS = ['cloudflare'] as const;

const secret = (setting: string, reference: string) => {
  const resolve = () => resolveSecret(setting, reference);
  resolve();
  return resolve;
};

function edrFrom(vendor: (typeof EDR_VENDORS)[number], vendors: EndpointVendorsConfig): Pick<EndpointVendorDeps, 'edr' | 'collectPackage'> & { edr: EdrVendor } {
  if (vendor === 'crowdstrike') {
    const cs = vendors.crowdstrike!;
    const baseUrl = cs.baseUrl ?? FALCON_CLOUDS[cs.cloud];
    const token = clientCredentials({ vendor: 'crowdstrike', tokenUrl: `${baseUrl}/oauth2/token`, clientId: cs.clientId, clientSecret: secret('vendors.crowdstrike.clientSecret', cs.clientSecret) });
    return { edr: crowdstrikeHosts(createVendorHttp({ vendor: 'crowdstrike', baseUrl, authorization: () => token.header(), onUnauthorized: () => token.invalidate() })) };
  }
  if (vendor === 'defender') {
    const d = vendors.defender!;
    const tokenUrl = d.tokenUrl ?? `https://login.microsoftonline.com/${encodeURIComponent(d.tenantId)}/oauth2/v2.0/token`;
    const token = clientCredentials({ vendor: 'defender', tokenUrl, clientId: d.clientId, clientSecret: secret('vendors.defender.clientSecret', d.clientSecret), scope: 'https://api.securitycenter.microsoft.com/.default' });
    const http = createVendorHttp({ vendor: 'defender', baseUrl: d.apiUrl, authorization: () => token.header(), onUnauthorized: () => token.invalidate() });
    return { edr: defenderMachines(http), collectPackage: (evidence) => createDefenderCollectPackage(http, evidence) };
  }
  const s1 = vendors.sentinelone!;
  const token = staticToken('ApiToken', secret('vendors.sentinelone.apiToken', s1.apiToken));
  return { edr: sentineloneAgents(createVendorHttp({ vendor: 'sentinelone', baseUrl: s1.url, authorization: () => token.header() })) };
}

/**
 * The vendors `containment.host` / `containment.network` name, built from their settings. Problems (a vendor named
 * without its settings) come back as setting paths for ConfigError; secrets are resolved once here to fail early.
 */
export function endpointVendorsFromConfig(containment: { host?: string; network?: string }, vendors: EndpointVendorsConfig, problems: string[]): EndpointVendorDeps {
  const deps: EndpointVendorDeps = {};
  const host = containment.host;
  if (host && (EDR_VENDORS as readonly string[]).includes(host)) {
    if (vendors[host as (typeof EDR_VENDORS)[number]]) Object.assign(deps, edrFrom(host as (typeof EDR_VENDORS)[number], vendors));
    else problems.push(`containment.host: ${host} needs its settings under vendors.${host}`);
  }
  if (containment.network === 'cloudflare') {
    const cf = vendors.cloudflare;
    if (!cf) problems.push('containment.network: cloudflare needs its settings under vendors.cloudflare');
    else {
      const token = staticToken('Bearer', secret('vendors.cloudflare.apiToken', cf.apiToken));
      deps.cloudflare = { http: createVendorHttp({ vendor: 'cloudflare', baseUrl: cf.baseUrl, authorization: () => token.header() }), scope: cf.accountId ? { account: cf.accountId } : { zone: cf.zoneId! }, ...(cf.list ? { list: cf.list } : {}) };
    }
  }
  const k8s = vendors.kubernetes;
  if (k8s) {
    const kubeconfig = k8s.kubeconfig ? secret('vendors.kubernetes.kubeconfig', k8s.kubeconfig) : undefined;
    deps.kubernetes = () => connect(kubeconfig ? { kubeconfig, context: k8s.context } : { inCluster: true });
  }
  return deps;
}
