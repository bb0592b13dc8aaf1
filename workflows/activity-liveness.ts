import { type ActivityOptions, patched } from '@temporalio/workflow';

/**
 * How long a running activity may go silent before Temporal gives it to another worker. Every activity heartbeats
 * every 2 s (worker/activity-heartbeat.ts), so this only fires when its worker died: the step is retried seconds
 * later instead of after its whole start-to-close timeout (5 minutes for an action by default, 621 s once for a step
 * killed twice).
 */
export const HEARTBEAT_TIMEOUT = '10s';

/**
 * The heartbeat timeout for activities this workflow schedules from now on. Guarded: a history recorded before the
 * change replays without it (an activity's options are not part of the determinism check, but its marker is).
 */
export function liveness(): Pick<ActivityOptions, 'heartbeatTimeout'> {
  return patched('activity-heartbeat-timeout') ? { heartbeatTimeout: HEARTBEAT_TIMEOUT } : {};
}
