import { z } from 'zod';
import { checkCondition } from '../../runbooks/cel';
import { Severity } from '../../runbooks/schema/alert';
import { Duration } from '../../runbooks/schema/step';
import { sourceKinds } from './sources';

/*
 * The `sources` and `routing` settings as they appear in the config file, before secrets are resolved. A source's
 * `auth` stays an opaque mapping here: its shape belongs to its kind, and it is parsed with the kind's `authSchema`
 * only after its `env:`/`file:` references are resolved (worker/alert-sources.ts).
 */

/** A source name is a URL segment and part of incident workflow ids (`incident/<source>/<hash>`), so it is kept plain. */
export const SourceName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'source names are lower-case letters, digits and dashes');

const CelCondition = z.string().superRefine((expression, ctx) => {
  for (const problem of checkCondition(expression)) ctx.addIssue({ code: 'custom', message: `${problem.code}: ${problem.message}` });
});

/** Sends alerts for which `when` is true to `runbook`, optionally overriding the sender's severity. */
export const RoutingRule = z.object({
  when: CelCondition,
  runbook: z.string().min(1),
  severity: Severity.optional(),
});
export type RoutingRule = z.infer<typeof RoutingRule>;

const ReopenMode = z.enum(['new-incident', 'never']);

const kindNames = Object.keys(sourceKinds) as [keyof typeof sourceKinds, ...(keyof typeof sourceKinds)[]];

export const SourceConfig = z.object({
  kind: z.enum(kindNames),
  /** Kind-specific credentials; every secret in it is a reference (`env:NAME`, `file:PATH`). */
  auth: z.record(z.string(), z.unknown()),
  /** Deliveries accepted per minute by this replica (a token bucket per process, not shared between replicas). */
  rateLimit: z.object({ perMinute: z.number().int().min(1).max(1_000_000), burst: z.number().int().min(1).max(1_000_000).optional() }).optional(),
  /** Rules tried before the global `routing.rules`. */
  routing: z.array(RoutingRule).default([]),
  /** Alertmanager/Grafana groups: one incident per alert fingerprint (default) or one per `groupKey`. */
  grouping: z.enum(['per-alert', 'per-group']).default('per-alert'),
  /**
   * A firing alert whose incident has closed: `new-incident` (default) opens a successor linked both ways; `never`
   * acknowledges it and starts nothing. `{ mode: new-incident, window: 30m }` also lets firing alerts within 30 minutes
   * of the close pass without a successor (a flapping alert's tail). Resolves and redeliveries after close never start one.
   */
  reopen: z
    .union([ReopenMode, z.object({ mode: ReopenMode.default('new-incident'), window: Duration.optional() })])
    .default('new-incident')
    .transform((r) => (typeof r === 'string' ? { mode: r } : r)),
  /** How long a delivery id is remembered: the sender's retry horizon. Standard Webhooks retries for ~3 days. */
  dedupeRetentionDays: z.number().positive().max(90).default(4),
});
export type SourceConfig = z.infer<typeof SourceConfig>;

export const SourcesConfig = z.record(SourceName, SourceConfig).default({});

export const RoutingConfig = z
  .object({
    rules: z.array(RoutingRule).default([]),
    /** Where an alert no rule and no runbook `match` claims goes; absent: it is recorded and refused (422). */
    defaultRunbook: z.string().min(1).optional(),
  })
  .default({ rules: [] });
export type RoutingConfig = z.infer<typeof RoutingConfig>;
