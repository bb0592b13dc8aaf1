import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/canonical-json';
import type { Config } from './config';

/**
 * The configuration with every secret slot reduced to whether it is set: references can be literal values (SMTP_URL
 * from the environment may carry a password), and even a hash of a secret is not for the audit log.
 */
export function configWithoutSecrets(config: Config): unknown {
  const set = (value: unknown) => (value === undefined ? undefined : '[set]');
  return {
    ...config,
    secrets: Object.fromEntries(Object.entries(config.secrets).map(([name, value]) => [name, set(value)])),
    email: { ...config.email, smtpUrl: set(config.email.smtpUrl) },
    temporal: { ...config.temporal, apiKey: set(config.temporal.apiKey) },
    evidence: { ...config.evidence, s3: config.evidence.s3 && { ...config.evidence.s3, accessKeyId: set(config.evidence.s3.accessKeyId), secretAccessKey: set(config.evidence.s3.secretAccessKey) } },
    people: config.people.map((person) => ({ ...person, tokens: person.tokens.length })),
    endpoints: Object.fromEntries(
      Object.entries(config.endpoints).map(([name, endpoint]) => [name, { ...endpoint, headers: Object.keys(endpoint.headers).sort(), secrets: Object.keys(endpoint.secrets).sort() }]),
    ),
    sources: sourceKinds(config),
  };
}

/** SHA-256 of the effective configuration without secrets, for the start-up audit record. */
export function configFingerprint(config: Config): string {
  // The JSON round trip drops undefined members, which canonical JSON refuses inside arrays.
  const plain: unknown = JSON.parse(JSON.stringify(configWithoutSecrets(config)));
  return createHash('sha256').update(canonicalJson(plain), 'utf8').digest('hex');
}

// Source settings hold secret references whose shape differs per kind; the names and kinds are what changes matter.
function sourceKinds(config: Config): unknown {
  const sources = (config as { sources?: unknown }).sources;
  if (!sources || typeof sources !== 'object') return null;
  return Object.fromEntries(Object.entries(sources as Record<string, { kind?: unknown }>).map(([name, source]) => [name, source?.kind ?? null]));
}
