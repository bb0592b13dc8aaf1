import { condition, proxyActivities } from '@temporalio/workflow';
import type { IncidentState, TimelineEntry } from './state';

export interface PublishTimelineRequest {
  incidentId: string;
  /** Position of `entries[0]` in the incident's timeline: with the incident id, the idempotency key of each record. */
  from: number;
  entries: TimelineEntry[];
}

const BATCH = 100;

// No attempt limit: an audit record may be late (the audit store is down) but never skipped.
const { 'incident.publish': publish } = proxyActivities<{ 'incident.publish': (request: PublishTimelineRequest) => Promise<{ published: number }> }>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
});

/**
 * Streams new timeline entries out of the workflow (audit log, and whatever else listens) in order, in batches, in the
 * background. `drain` resolves once everything recorded so far is out: the workflow awaits it before it closes.
 */
export function startTimelinePublisher(state: IncidentState): { drain(): Promise<void> } {
  let closing = false;
  const loop = (async () => {
    for (;;) {
      await condition(() => state.status.timeline.length > state.published || closing);
      if (state.status.timeline.length === state.published) return;
      const from = state.published;
      const entries = state.status.timeline.slice(from, from + BATCH);
      await publish({ incidentId: state.status.incidentId, from, entries });
      state.published = from + entries.length;
    }
  })();
  return {
    async drain() {
      closing = true;
      await loop;
    },
  };
}
