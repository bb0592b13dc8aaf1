import type { ContainmentDeps } from '../activities/containment/adapters';
import type { StateEvidenceDeps } from '../activities/containment/vendor-kit/state-evidence';
import type { HttpEndpoint, SecretValue } from '../activities/http/endpoint';
import { type Config, ConfigError } from './config';
import { resolveSecret } from './secret';
import { IDENTITY_VENDORS, identityCloudVendorsFromConfig } from './identity-cloud-vendors';
import { EDGE_VENDORS, EDR_VENDORS, endpointVendorsFromConfig } from './vendors-config';

/**
 * Resolves a secret reference now (so a bad reference stops the worker at start, naming the setting) and again at
 * every call (so a rotated `file:` secret is used without a restart).
 */
function secretResolver(setting: string, reference: string): () => SecretValue {
  const resolve = () => resolveSecret(setting, reference);
  resolve();
  return resolve;
}

function resolvers(prefix: string, references: Record<string, string>): Record<string, () => SecretValue> {
  return Object.fromEntries(Object.entries(references).map(([name, reference]) => [name, secretResolver(`${prefix}.${name}`, reference)]));
}

/** The configured endpoints as activities use them. Thrown ConfigError names endpoints whose URL host is not allowed. */
export function httpEndpointsFromConfig(config: Config): Record<string, HttpEndpoint> {
  const problems: string[] = [];
  const endpoints: Record<string, HttpEndpoint> = {};
  for (const [name, endpoint] of Object.entries(config.endpoints)) {
    const url = new URL(endpoint.url);
    const allowedHosts = endpoint.allowedHosts ?? [url.host];
    if (!allowedHosts.includes(url.host) && !allowedHosts.includes(url.hostname)) problems.push(`endpoints.${name}.allowedHosts: must include the URL's host ${url.hostname}`);
    endpoints[name] = {
      name,
      url: endpoint.url,
      allowedHosts,
      headers: resolvers(`endpoints.${name}.headers`, endpoint.headers),
      secrets: resolvers(`endpoints.${name}.secrets`, endpoint.secrets),
      timeoutMs: endpoint.timeoutMs,
    };
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return endpoints;
}

// Names in `containment.<area>` that are vendors configured under `vendors`, not endpoints.
const VENDOR_NAMES: Record<'identity' | 'network' | 'host', readonly string[]> = { identity: IDENTITY_VENDORS, network: [...EDGE_VENDORS, 'aws'], host: EDR_VENDORS };

/**
 * Which endpoint or vendor each containment adapter calls. Thrown ConfigError names a `containment` entry with no such
 * endpoint, or a vendor without its settings. Vendors need `evidence` (their before/after states are evidence).
 */
export function containmentFromConfig(config: Config, endpoints: Record<string, HttpEndpoint>, evidence?: StateEvidenceDeps): ContainmentDeps {
  const deps: ContainmentDeps = {};
  const problems: string[] = [];
  const endpoint = endpointVendorsFromConfig(config.containment, config.vendors, problems);
  const identityCloud = identityCloudVendorsFromConfig(config.containment, config.vendors, problems);
  if (evidence && (Object.keys(endpoint).length > 0 || Object.keys(identityCloud).length > 0)) deps.vendors = { evidence, endpoint, ...identityCloud };
  for (const area of ['identity', 'network', 'host'] as const) {
    const name = config.containment[area];
    if (name === undefined || VENDOR_NAMES[area].includes(name)) continue;
    if (endpoints[name]) deps[area] = endpoints[name];
    else problems.push(`containment.${area}: no endpoint named ${name} under endpoints`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deps;
}
