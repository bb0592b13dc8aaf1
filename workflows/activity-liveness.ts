import type { ActivityOptions } from '@temporalio/workflow';
import { isPatched } from './release';

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
 * Activities given a heartbeat timeout later name their own patch: calling an existing patch at a new, earlier point
 * of an incident moves its marker, and histories recorded with it at the old point no longer replay.
 */
export function liveness(patchId: LivenessPatch = 'activity-heartbeat-timeout'): Pick<ActivityOptions, 'heartbeatTimeout'> {
  return isPatched(patchId) ? { heartbeatTimeout: HEARTBEAT_TIMEOUT } : {};
}

export type LivenessPatch = 'activity-heartbeat-timeout' | 'resolve-attachments-heartbeat' | 'escalation-email-heartbeat' | 'deadlines-compute-heartbeat' | 'close-checkpoint-heartbeat';
