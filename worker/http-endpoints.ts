import type { ContainmentDeps } from '../activities/containment/adapters';
import type { HttpEndpoint, SecretValue } from '../activities/http/endpoint';
import { type Config, ConfigError } from './config';
import { resolveSecret } from './secret';

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

/** Which endpoint each containment adapter calls. Thrown ConfigError names a `containment` entry with no such endpoint. */
export function containmentFromConfig(config: Config, endpoints: Record<string, HttpEndpoint>): ContainmentDeps {
  const deps: ContainmentDeps = {};
  const problems: string[] = [];
  for (const area of ['identity', 'network', 'host'] as const) {
    const name = config.containment[area];
    if (name === undefined) continue;
    if (endpoints[name]) deps[area] = endpoints[name];
    else problems.push(`containment.${area}: no endpoint named ${name} under endpoints`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deps;
}
