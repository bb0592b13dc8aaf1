import { patched } from '@temporalio/workflow';

/**
 * One patch for everything released before it. Each `patched()` call records a marker and a TemporalChangeVersion
 * upsert (two history events), and a clock-only incident used to record nine of them. An incident started on this code
 * records RELEASE_PATCH once, at its start, and every earlier patch is on without its own marker; a history without
 * it (started on older code) checks each earlier patch exactly where and when it always did, so it replays as
 * recorded. A later change gets a patch of its own (checked with `patched()`), or a new release patch that subsumes
 * this one.
 */
export const RELEASE_PATCH = 'incident-2026-12';

/** Every patch an incident checked before RELEASE_PATCH. */
export type ReleasedPatch =
  | 'activity-heartbeat-timeout'
  | 'alert-repeats-summarised'
  | 'alert-storm-roll'
  | 'clocks-computed-at-once'
  | 'close-checkpoint-heartbeat'
  | 'close-checkpoint-slack'
  | 'containment-expiry'
  | 'containment-lift-audit'
  | 'deadlines-compute-heartbeat'
  | 'escalation-email'
  | 'escalation-email-heartbeat'
  | 'incident-summary-alerts'
  | 'incident-summary-memo'
  | 'requires-ask-labels'
  | 'resolve-attachments-heartbeat'
  | 'slack-sync'
  | 'timeline-publish-at-rest';

// Module state is the workflow's own: the SDK evaluates workflow modules once per workflow execution.
let released: boolean | undefined;

/**
 * Decides, once, at the start of an incident run (before any other patch is checked), whether it runs this release.
 * Not asked again later: a replayed older history that goes live must keep checking its patches one by one.
 */
export function startRelease(): boolean {
  released = patched(RELEASE_PATCH);
  return released;
}

/** Whether this run started on RELEASE_PATCH: guards what changed with it. */
export function onRelease(): boolean {
  return released === true;
}

/** `patched(id)` for a run from before RELEASE_PATCH (and outside an incident, which never starts a release); else on. */
export function isPatched(id: ReleasedPatch): boolean {
  return released === true || patched(id);
}
