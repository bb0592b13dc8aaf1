import { patched } from '@temporalio/workflow';

/**
 * One patch for everything released before it. Each `patched()` call records a marker and a TemporalChangeVersion
 * upsert (two history events), and a clock-only incident used to record nine of them. An incident started on this code
 * records one release patch, once, at its start, and every earlier patch is on without its own marker; a history without
 * any (started on older code) checks each earlier patch exactly where and when it always did, so it replays as
 * recorded. A later change gets a patch of its own (checked with `patched()`), or a new release that subsumes the ones
 * before it (appended to RELEASES): a run records only the newest release, so a release costs no events over the last.
 */
export const RELEASES = [
  'incident-2026-12',
  // One timer loop per incident for all its clocks, instead of one per clock; the timeline publisher waits on one
  // condition instead of two.
  'incident-2026-12b',
  // Fewer workflow promises per incident (the SDK captures a stack for each): a clock step awaits its one computation
  // once, and the timeline publisher and the summary memo share one non-cancellable scope.
  'incident-2026-12c',
] as const;
export type Release = (typeof RELEASES)[number];

/** The release an incident started on this code records. */
export const RELEASE_PATCH: Release = RELEASES[RELEASES.length - 1]!;

/** Every patch an incident checked before the first release. */
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
// The index in RELEASES of the release this run started on; -1 for a run from before them all.
let released = -1;

/**
 * Decides, once, at the start of an incident run (before any other patch is checked), which release it runs: the
 * newest for a new run; on replay, the one its history recorded (`patched` is false, and records nothing, for a release
 * the history lacks). Not asked again later: a replayed older history that goes live must keep behaving as recorded.
 */
export function startRelease(): Release | undefined {
  released = RELEASES.length - 1;
  while (released >= 0 && !patched(RELEASES[released]!)) released -= 1;
  return RELEASES[released];
}

/** Whether this run started on `release` or a later one: guards what changed with it. */
export function onRelease(release: Release = RELEASES[0]): boolean {
  return released >= RELEASES.indexOf(release);
}

/** `patched(id)` for a run from before the releases (and outside an incident, which never starts one); else on. */
export function isPatched(id: ReleasedPatch): boolean {
  return released >= 0 || patched(id);
}
