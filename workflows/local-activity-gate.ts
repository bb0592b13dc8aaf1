import { condition } from '@temporalio/workflow';
import { onRelease } from './release';

// Module state is the workflow's own: the SDK evaluates workflow modules once per workflow execution.
let busy = false;

/**
 * Runs one local activity at a time (incidents on RELEASE_PATCH; elsewhere runs `call` at once, as before). Two local
 * activities in flight together resolve in separate activations when they run, but a replay resolves every marker the
 * workflow has already scheduled in one activation: code that reacts to the first (the timeline publisher choosing its
 * next batch) then sees the second's effects too, and the replay asks for other local activities than the history holds
 * (nondeterminism; seen with `incident.publish` beside `conditions.evaluate`). One at a time, every resolution is
 * an activation of its own both ways.
 */
export function oneLocalActivityAtATime<T>(call: () => Promise<T>): Promise<T> {
  // Elsewhere the call's own promise, untouched: an async wrapper would resolve it later than recorded histories expect.
  if (!onRelease()) return call();
  return onRelease('incident-2026-12c') && !busy ? held(call) : gated(call);
}

/**
 * Since incident-2026-12c, when no local activity is in flight: the call's own promise, the gate released when it
 * settles, before its caller resumes (as `gated`'s finally does), with one promise instead of an async wrapper's few.
 */
function held<T>(call: () => Promise<T>): Promise<T> {
  busy = true;
  const release = (): void => {
    busy = false;
  };
  let promise: Promise<T>;
  try {
    promise = call();
  } catch (error) {
    release();
    throw error;
  }
  promise.then(release, release);
  return promise;
}

async function gated<T>(call: () => Promise<T>): Promise<T> {
  // A loop: waiters released by the same check re-check, so only the first goes ahead.
  while (busy) await condition(() => !busy);
  busy = true;
  try {
    return await call();
  } finally {
    busy = false;
  }
}
