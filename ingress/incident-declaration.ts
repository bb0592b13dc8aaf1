/** Declaring an incident by hand: what a person gives, the alert its runbook reads, and why a declaration is refused. */
import { ulid } from 'ulid';
import { z } from 'zod';
import { type Alert, Severity } from '../runbooks/schema/alert';
import { missingConfig } from '../runbooks/requirements';
import type { PinnedRunbook } from '../runbooks/schema/runbook';
import type { Problem } from './incident-problem';

/** Declaring an incident: what a person gives (HTTP body, Slack modal, console form). */
export const StartRequest = z.object({
  title: z.string().trim().min(1).max(500),
  severity: Severity.default('high'),
  runbook: z.string().min(1),
  description: z.string().max(20_000).optional(),
  /** What the runbook's templates read as `alert.labels` (e.g. `user: m.smith`): a declared incident has no sender to give them. */
  labels: z
    // zod reports a bad key as "Invalid key in record" unless told: say which rule the name broke.
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.string().max(1024), { error: (issue) => (issue.code === 'invalid_key' ? 'label names are letters, digits and _ (at most 64)' : undefined) })
    .refine((l) => Object.keys(l).length <= 64, 'at most 64 labels')
    .optional(),
});
export type StartRequest = z.input<typeof StartRequest>;

/**
 * What a declared incident's runbook sees as `alert`: the declaration itself (source `declared`, status firing, the
 * labels the person gave), so templates and conditions written for alerts (`alert.labels.user`, `alert.severity`)
 * read the same fields; it is not counted as an alert received.
 */
export function declaredAlert(incidentId: string, d: { title: string; severity: Alert['severity']; description?: string; labels?: Record<string, string> }, at: string): Alert {
  return { source: 'declared', deliveryId: incidentId, fingerprint: incidentId, title: d.title, severity: d.severity, status: 'firing', labels: d.labels ?? {}, ...(d.description && { description: d.description }), occurredAt: at, receivedAt: at, raw: {} };
}

/** A declared incident gets a new ULID: no fingerprint to hash, and nothing about it in the (unencrypted) id. */
export const declaredIncidentId = (): string => `incident/declared/${ulid()}`;

/** Refuses at the start, naming every config key to set, rather than failing or stranding at the step that reads it. */
export function missingConfigOf(pinned: PinnedRunbook, children: Record<string, PinnedRunbook>, config: unknown): Problem | undefined {
  if (config === undefined) return undefined;
  const keys = [...new Set([pinned, ...Object.values(children)].flatMap((p) => p.runbook.requires?.config ?? []))];
  const missing = missingConfig(keys, config);
  if (missing.length === 0) return undefined;
  const message = `runbook ${pinned.runbook.id} needs config that is not set: ${missing.join(', ')}; set ${missing.length > 1 ? 'them' : 'it'} in the config file (firebreak config check lists what each runbook needs)`;
  return { code: 'runbook.config_missing', status: 409, message, issues: missing.map((key) => ({ path: ['config', ...key.split('.')], message: `${key} is not set` })) };
}

export const runbookNotFound = (runbook: string): Problem => ({ code: 'runbook.not_found', status: 400, message: `no runbook ${runbook}`, issues: [{ path: ['runbook'], message: `no runbook ${runbook}` }] });
