import type { SourceKind } from '../source-kind';
import { alertmanager } from './alertmanager';
import { github } from './github';
import { grafana } from './grafana';
import { pagerduty } from './pagerduty';
import { standardWebhooks } from './standard-webhooks';

/**
 * Every alert sender kind, keyed by its `kind` name (the name a source's config gives). Typed per kind for callers
 * that know which one they want; a config-driven caller uses {@link findSourceKind}.
 */
export const sourceKinds = {
  'standard-webhooks': standardWebhooks,
  alertmanager,
  grafana,
  github,
  pagerduty,
} as const satisfies Readonly<Record<string, SourceKind<unknown>>>;

export type SourceKindName = keyof typeof sourceKinds;

/**
 * The kind named in config, or undefined for an unknown name (never an inherited property such as `constructor`).
 * Parse the source's auth config with its `authSchema` and pass the result to its `authenticate`.
 */
export function findSourceKind(name: string): SourceKind<unknown> | undefined {
  return Object.hasOwn(sourceKinds, name) ? sourceKinds[name as SourceKindName] : undefined;
}
