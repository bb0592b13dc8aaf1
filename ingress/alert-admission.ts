import { createHash } from 'node:crypto';
import { generationId } from './incident-generations';

// What admitting an alert means at the edge: the incident id it maps to, the outcomes, and the reopen policy.

/** What a source does with a firing alert whose incident has closed (`sources.<name>.reopen`). */
export interface ReopenPolicy {
  /** `new-incident` (default): a successor incident opens, linked both ways. `never`: acknowledged, nothing starts. */
  mode: 'new-incident' | 'never';
  /** With `new-incident`: firing alerts within this long after the close are acknowledged, not reopened (default 0). */
  windowMs: number;
}

export const DEFAULT_REOPEN: ReopenPolicy = { mode: 'new-incident', windowMs: 0 };

/**
 * How one alert reached (or did not reach) an incident:
 * - `signalled`: it opened or joined the running incident `incidentId`;
 * - `reopened`: the previous incident had closed and `incidentId` is its successor;
 * - `after_close`: the incident had closed and nothing starts: the alert resolves or updates, re-sends the episode the
 *   incident already saw firing (same or earlier `occurredAt`), or the source's policy says so;
 * - `no_incident`: a resolve or an update for a fingerprint that never had an incident: nothing starts.
 */
export type AlertAdmission =
  | { outcome: 'signalled'; incidentId: string }
  | { outcome: 'reopened'; incidentId: string; reopenedFrom: string }
  | { outcome: 'after_close'; incidentId: string; reason: 'resolved' | 'update' | 'same_episode' | 'reopen.never' | 'reopen.window' }
  | { outcome: 'no_incident'; reason: 'resolved' | 'update' };

/** Workflow IDs are stored unencrypted, so an alert's id carries a hash of its fingerprint, never alert content. */
export function alertIncidentId(source: string, fingerprint: string, generation = 1): string {
  return generationId(`incident/${source}/${createHash('sha256').update(fingerprint).digest('hex').slice(0, 32)}`, generation);
}

/**
 * An alert that was admitted without a runbook (it was expected to join a running incident) would open one: that
 * incident has closed since this process saw it running. The caller routes the alert and admits it again.
 */
export class RunbookNeededError extends Error {
  readonly code = 'alert.runbook_needed';
  constructor() {
    super('an alert that may open an incident needs its routed runbook');
  }
}
