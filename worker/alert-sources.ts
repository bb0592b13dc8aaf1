import type { Client } from '@temporalio/client';
import type { IncidentClient } from '../ingress/incident-client';
import { DEFAULT_REOPEN } from '../ingress/alert-admission';
import type { RunbookCatalog } from '../ingress/runbook-catalog';
import type { AlertIntakeDeps, ConfiguredSource } from '../ingress/webhooks/alert-intake';
import { AlertRouter } from '../ingress/webhooks/alert-routing';
import { DeliveryDedupe, retentionDays } from '../ingress/webhooks/delivery-dedupe';
import { TokenBucket } from '../ingress/webhooks/rate-limit';
import type { SourceConfig } from '../ingress/webhooks/source-config';
import { findSourceKind } from '../ingress/webhooks/sources';
import { standardWebhooks } from '../ingress/webhooks/sources/standard-webhooks';
import { type Config, ConfigError } from './config';
import type { Logger } from './logging';
import { resolveSecret, type Secret, SecretReferenceError } from './secret';
import path from 'node:path';
import { msToNumber } from '@temporalio/common/lib/time';

/** Keys whose string values (and the strings beneath them) are secrets: in a config file they must be references. */
const SECRET_KEYS = new Set(['secrets', 'bearerTokens', 'password']);

/**
 * Resolves every `env:`/`file:` reference inside a source's `auth` mapping, then parses it with its kind's
 * `authSchema`. Secret positions (see SECRET_KEYS) refuse literal values. Thrown ConfigError lists every problem as
 * `sources.<name>.auth.<path>: <what is wrong>`, never a value.
 */
export function resolveSourceAuth(name: string, source: Pick<SourceConfig, 'kind' | 'auth'>): unknown {
  const problems: string[] = [];
  const resolve = (value: unknown, at: (string | number)[], secretPosition: boolean): unknown => {
    const setting = ['sources', name, 'auth', ...at].join('.');
    if (typeof value === 'string') {
      try {
        return secretPosition || /^(env|file):/.test(value) ? resolveSecret(setting, value).reveal() : value;
      } catch (error) {
        if (!(error instanceof SecretReferenceError)) throw error;
        problems.push(error.message);
        return undefined;
      }
    }
    if (Array.isArray(value)) return value.map((item, i) => resolve(item, [...at, i], secretPosition));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item, [...at, key], secretPosition || SECRET_KEYS.has(key))]));
    }
    return value;
  };
  const resolved = resolve(source.auth, [], false);
  if (problems.length > 0) throw new ConfigError(problems);
  const kind = findSourceKind(source.kind);
  if (!kind) throw new ConfigError([`sources.${name}.kind: unknown source kind`]);
  const parsed = kind.authSchema.safeParse(resolved);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${['sources', name, 'auth', ...issue.path.map(String)].join('.')}: ${issue.message}`));
  return parsed.data;
}

/** The built-in `generic` source: Standard Webhooks signed with the generated (or `secrets.webhookSigningSecret`) secret. */
function genericSource(config: Config, signingSecret: Secret): ConfiguredSource {
  const auth = standardWebhooks.authSchema.parse({ secrets: [signingSecret.reveal()], toleranceSeconds: config.webhookToleranceSeconds });
  return { name: 'generic', kind: standardWebhooks as ConfiguredSource['kind'], auth, routing: [], grouping: 'per-alert', reopen: DEFAULT_REOPEN, dedupeRetentionDays: 4, builtIn: true };
}

/**
 * Every alert source this process accepts, by name: the configured ones, plus `generic` unless config defines its
 * own. All sources' problems are collected before throwing, so one start reports every bad setting.
 */
export function configuredSources(config: Config, signingSecret: Secret): Map<string, ConfiguredSource> {
  const sources = new Map<string, ConfiguredSource>();
  const problems: string[] = [];
  for (const [name, source] of Object.entries(config.sources)) {
    try {
      sources.set(name, {
        name,
        kind: findSourceKind(source.kind)!,
        auth: resolveSourceAuth(name, source),
        routing: source.routing,
        grouping: source.grouping,
        reopen: { mode: source.reopen.mode, windowMs: source.reopen.window ? msToNumber(source.reopen.window as `${number}s`) : 0 },
        dedupeRetentionDays: source.dedupeRetentionDays,
        builtIn: false,
        rateLimit: source.rateLimit && new TokenBucket(source.rateLimit.perMinute, source.rateLimit.burst),
        rateLimitPerMinute: source.rateLimit?.perMinute,
      });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (!sources.has('generic')) sources.set('generic', genericSource(config, signingSecret));
  return sources;
}

export interface IngressParts {
  config: Config;
  client: Client;
  webhookSigningSecret: Secret;
  catalog: RunbookCatalog;
  starter: Pick<IncidentClient, 'alert' | 'joinsRunning'>;
  log: Logger;
}

/** The alert ingress as the HTTP service hosts it: its sources and what `takeDelivery` needs. */
export function createIngress(parts: IngressParts): { sources: Map<string, ConfiguredSource>; intake: AlertIntakeDeps } {
  const { config, log } = parts;
  const sources = configuredSources(config, parts.webhookSigningSecret);
  const retentionMs = Object.fromEntries([...sources.values()].map((s) => [s.name, retentionDays(s.dedupeRetentionDays)]));
  const dedupe = new DeliveryDedupe(path.join(config.dataDir, 'ingress', 'deliveries'), {
    retentionMs,
    onPruneError: (err) => log.warn({ err }, 'pruning remembered deliveries failed'),
  });
  return { sources, intake: { router: new AlertRouter(parts.catalog, config.routing, log, config), starter: parts.starter, dedupe, log, temporal: parts.client } };
}
