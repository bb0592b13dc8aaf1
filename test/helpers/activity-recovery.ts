import type { Client } from '@temporalio/client';

/**
 * For each activity that was running when its worker was killed and completed on another worker after a timeout:
 * seconds from the kill to its completion, by activity type. Read from the raw history (event types, attempts and
 * times are not encrypted). `until` bounds the window, so a later failure's retries are not counted here.
 */
export async function recoveryByActivityKind(client: Client, ids: string[], killedAt: number, until = Infinity): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const id of ids) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const scheduled = new Map<string, { kind: string; at: number }>();
    const retried = new Set<string>();
    for (const event of history.events ?? []) {
      const eventId = String(event.eventId);
      const at = Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
      if (event.activityTaskScheduledEventAttributes) scheduled.set(eventId, { kind: event.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at });
      const started = event.activityTaskStartedEventAttributes;
      if (started && (started.attempt ?? 1) > 1 && started.lastFailure?.timeoutFailureInfo) retried.add(String(started.scheduledEventId));
      const done = event.activityTaskCompletedEventAttributes;
      const activity = done && scheduled.get(String(done.scheduledEventId));
      // Running when the worker died (scheduled before), retried after a timeout, done before the window closes.
      if (activity && retried.has(String(done.scheduledEventId)) && activity.at < killedAt && at >= killedAt && at < until) {
        (out[activity.kind] ??= []).push(Math.round((at - killedAt) / 100) / 10);
      }
    }
  }
  return out;
}
