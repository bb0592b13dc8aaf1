import type { Client } from '@temporalio/client';
import { ValueError } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import { AuditHead, distinctHeads, type WitnessedHead, type WitnessReport } from '../audit';

/** The activity whose results carry the audit head: activities/audit/publish-timeline.ts. */
const PUBLISH_ACTIVITY = 'incident.publish';
const CONCURRENCY = 8;

/** The SDK's marker for a local activity's outcome: its `data` names the activity (plain JSON), `result` is its result. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** Whether a local-activity marker records a completed `incident.publish` (incidents on release incident-2026-12). */
function isPublishMarker(marker: temporal.api.history.v1.IMarkerRecordedEventAttributes): boolean {
  const data = marker.details?.data?.payloads?.[0]?.data;
  if (marker.markerName !== LOCAL_ACTIVITY_MARKER || marker.failure || !data) return false;
  try {
    return (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: unknown }).activity_type === PUBLISH_ACTIVITY;
  } catch {
    return false;
  }
}

/** Every head one run's history holds: the `witness` of each completed `incident.publish`, activity or local activity. */
async function headsOfRun(client: Client, workflowId: string, runId: string): Promise<WitnessedHead[]> {
  const history = await client.workflow.getHandle(workflowId, runId, { followRuns: false }).fetchHistory();
  const publishes = new Set<number>();
  const heads: WitnessedHead[] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === PUBLISH_ACTIVITY) publishes.add(Number(event.eventId));
    const completed = event.activityTaskCompletedEventAttributes;
    const marker = event.markerRecordedEventAttributes;
    const payloads = completed && publishes.has(Number(completed.scheduledEventId)) ? completed.result?.payloads : marker && isPublishMarker(marker) ? marker.details?.result?.payloads : undefined;
    if (!payloads) continue;
    // Results are encrypted by the payload codec; the client's own converter decodes them.
    const result = await decodeFromPayloadsAtIndex<{ witness?: unknown }>(client.options.loadedDataConverter, 0, payloads);
    const witness = AuditHead.safeParse(result?.witness);
    if (witness.success) heads.push({ ...witness.data, incidentId: workflowId, runId });
  }
  return heads;
}

/**
 * Reads the audit heads Temporal holds for every run on the task queue, open or closed (until the namespace's
 * retention deletes it). Temporal is the witness: its history is stored outside the audit directory, and an activity
 * result or a local activity's marker cannot be edited through any Temporal API.
 */
export async function readTemporalWitness(client: Client, taskQueue: string): Promise<WitnessReport> {
  const runs: { workflowId: string; runId: string }[] = [];
  for await (const info of client.workflow.list({ query: `TaskQueue = '${taskQueue}'`, pageSize: 1000 })) runs.push({ workflowId: info.workflowId, runId: info.runId });
  const heads: WitnessedHead[] = [];
  let unreadableRuns = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, runs.length) }, async () => {
      while (next < runs.length) {
        const run = runs[next++]!;
        try {
          heads.push(...(await headsOfRun(client, run.workflowId, run.runId)));
        } catch (error) {
          // A run encrypted under a key this service does not hold: counted and shown, never silently dropped.
          if (!(error instanceof ValueError)) throw error;
          unreadableRuns++;
        }
      }
    }),
  );
  return { source: `temporal:${taskQueue}`, runs: runs.length, unreadableRuns, heads: distinctHeads(heads) };
}
