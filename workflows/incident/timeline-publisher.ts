import { ActivityFailure, ApplicationFailure, TemporalFailure, condition, isCancellation, log, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { isPatched, onRelease } from '../release';
import { HEARTBEAT_TIMEOUT, liveness } from '../activity-liveness';
import { oneLocalActivityAtATime } from '../local-activity-gate';
import type { Activities } from '../../activities';
import type { Runbook } from '../../runbooks/schema/runbook';
import { type SignedCheckpoint, postCloseCheckpoint } from './close-checkpoint';
import { type RunbookOutline, incidentSnapshot, runbookOutline } from './slack-snapshot';
import type { IncidentState, TimelineEntry } from './state';
import { addTimeline } from './state';

export interface PublishTimelineRequest {
  incidentId: string;
  /** Position of `entries[0]` in the incident's timeline: with the incident id, the idempotency key of each record. */
  from: number;
  entries: TimelineEntry[];
}

const BATCH = 100;
const SLACK_SYNC_FAILED = 'slack.sync_failed';

// No attempt limit: an audit record may be late (the audit store is down) but never skipped.
type Publish = Pick<Activities, 'incident.publish'>;
const publishOptions = { startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '1m' } } as const;
const { 'incident.publish': publishUnwatched } = proxyActivities<Publish>(publishOptions);
const { 'incident.publish': publishWatched } = proxyActivities<Publish>({ ...publishOptions, heartbeatTimeout: HEARTBEAT_TIMEOUT });
const publishActivity: Publish['incident.publish'] = (request) => (liveness().heartbeatTimeout ? publishWatched : publishUnwatched)(request);
// On RELEASE_PATCH a local activity first: one marker in the workflow task that asked for it, instead of three events
// and a task its completion wakes. Its attempts are few (about 3 s) because it holds the workflow's one local activity
// at a time (local-activity-gate.ts), which a clock or `when` step may be waiting for; when the audit store is down the
// same batch goes out as the activity above, with no attempt limit, so a record may be late but is never skipped. The
// record keys (incident id, timeline position) make the second try append nothing the first already wrote.
const { 'incident.publish': publishLocal } = proxyLocalActivities<Publish>({ startToCloseTimeout: '10s', retry: { initialInterval: '1s', maximumInterval: '2s', maximumAttempts: 3 } });
const publishLate = (request: PublishTimelineRequest, error: unknown): ReturnType<Publish['incident.publish']> => {
  // A local activity's last failure arrives as its own (ApplicationFailure, TimeoutFailure), not in an ActivityFailure.
  if (!(error instanceof TemporalFailure) || isCancellation(error)) throw error;
  log.warn('audit publish is late: the audit store refused the local attempts', { incidentId: request.incidentId, from: request.from });
  return publishActivity(request);
};
const publishOnRelease: Publish['incident.publish'] = async (request) => {
  try {
    return await oneLocalActivityAtATime(() => publishLocal(request));
  } catch (error) {
    return publishLate(request, error);
  }
};
// Since incident-2026-12c the same without the async wrapper: one promise fewer per publish (the SDK tracks each).
const publishOnRelease12c: Publish['incident.publish'] = (request) => oneLocalActivityAtATime(() => publishLocal(request)).catch((error: unknown) => publishLate(request, error));
// Histories from before the release get the activity's own promise, untouched: an async wrapper would resolve it later
// than they recorded.
const publish: Publish['incident.publish'] = (request) => (onRelease('incident-2026-12c') ? publishOnRelease12c(request) : onRelease() ? publishOnRelease(request) : publishActivity(request));

// Bounded: Slack is a view of the incident, so an outage costs a stale channel, never a stuck incident. A 429's
// Retry-After overrides the interval (the activity sets nextRetryDelay).
type SlackSync = Pick<Activities, 'slack.sync'>;
const slackSyncOptions = { startToCloseTimeout: '1m', retry: { initialInterval: '2s', maximumInterval: '30s', maximumAttempts: 6 } } as const;
const { 'slack.sync': slackSyncUnwatched } = proxyActivities<SlackSync>(slackSyncOptions);
const { 'slack.sync': slackSyncWatched } = proxyActivities<SlackSync>({ ...slackSyncOptions, heartbeatTimeout: HEARTBEAT_TIMEOUT });
const slackSync: SlackSync['slack.sync'] = (request) => (liveness().heartbeatTimeout ? slackSyncWatched : slackSyncUnwatched)(request);

/**
 * Mirrors the incident into Slack after each batch of timeline entries. Entries that pile up while a sync runs go
 * out together in the next one (that coalescing is the debounce). A sync that fails for good is recorded on the
 * timeline; that record itself is not synced, so a long outage cannot feed a loop of failure entries.
 */
function startSlackSync(state: IncidentState, outline: RunbookOutline, mirrorToSlack: boolean): Promise<void> {
  return (async () => {
    if (!isPatched('slack-sync') || !mirrorToSlack) return;
    for (;;) {
      const synced = () => state.slackSynced ?? 0;
      await condition(() => state.status.timeline.length > synced() || state.status.closedAt !== undefined);
      if (state.status.timeline.length === synced()) return;
      const from = synced();
      const batch = state.status.timeline.slice(from, from + BATCH);
      const entries = batch.filter((entry) => entry.event !== SLACK_SYNC_FAILED);
      if (entries.length > 0) {
        try {
          await slackSync({ incidentId: state.status.incidentId, from, entries, snapshot: incidentSnapshot(state, outline) });
        } catch (error) {
          if (!(error instanceof ActivityFailure)) throw error;
          const type = error.cause instanceof ApplicationFailure ? error.cause.type : undefined;
          log.warn('slack sync failed', { incidentId: state.status.incidentId, from, type });
          addTimeline(state, { at: new Date().toISOString(), event: SLACK_SYNC_FAILED, detail: type ?? 'slack.unavailable' });
        }
      }
      // Advanced only once the batch is out: a continue-as-new waits for this to catch up, so nothing is skipped.
      state.slackSynced = from + batch.length;
    }
  })();
}

/** True when every timeline entry so far has reached the audit log and the Slack mirror: no publish is in flight. */
export function timelinePublished(state: IncidentState): boolean {
  const length = state.status.timeline.length;
  return state.published === length && (state.slackSynced === undefined || state.slackSynced === length);
}

// Steps waiting on an activity: it ends within its timeouts and retries, so the entries before it can wait for it.
const ACTIVITY_KINDS = new Set(['action', 'clock']);

/**
 * Streams new timeline entries out of the workflow (audit log, and whatever else listens) in order, in batches, in the
 * background: whenever no step waits on an activity (so before every wait, approval, child runbook and
 * continue-as-new), when a full batch has built up, and at close. Publishing after every step would double a
 * runbook's history. `drain` resolves once everything recorded so far is out: the workflow awaits it before it closes.
 */
export function startTimelinePublisher(state: IncidentState, runbook?: Pick<Runbook, 'roles' | 'steps'>, mirrorToSlack = true): { drain(): Promise<void> } {
  let closing = false;
  let closeCheckpoint: SignedCheckpoint | undefined;
  // Histories recorded before batching published after every change; they replay that way.
  const batched = isPatched('timeline-publish-at-rest');
  const unpublished = () => state.status.timeline.length - state.published;
  const due = () => !batched || closing || unpublished() >= BATCH || !state.status.steps.some((s) => s.state === 'running' && ACTIVITY_KINDS.has(s.kind));
  const slack = startSlackSync(state, runbookOutline(runbook), mirrorToSlack);
  // Since incident-2026-12b one condition for both waits: fewer promises, which the SDK tracks one by one.
  const oneWait = onRelease('incident-2026-12b');
  const loop = (async () => {
    for (;;) {
      await condition(oneWait ? () => closing || (unpublished() > 0 && due()) : () => unpublished() > 0 || closing);
      if (unpublished() === 0) return;
      // Only when not due already: one more wait would reorder the commands of histories recorded before batching.
      if (!due()) await condition(due);
      const from = state.published;
      const entries = state.status.timeline.slice(from, from + BATCH);
      closeCheckpoint = (await publish({ incidentId: state.status.incidentId, from, entries })).checkpoint ?? closeCheckpoint;
      state.published = from + entries.length;
    }
  })();
  return {
    async drain() {
      closing = true;
      await slack;
      await loop;
      await postCloseCheckpoint(state.status.incidentId, closeCheckpoint, mirrorToSlack);
    },
  };
}
