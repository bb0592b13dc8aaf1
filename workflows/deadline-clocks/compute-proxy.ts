import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { liveness } from '../activity-liveness';
import { oneLocalActivityAtATime } from '../local-activity-gate';
import type { ComputeAllDeadlines, ComputeDeadlines } from './types';

// Arithmetic over a catalogue loaded once per worker: quick, and a bad input (unknown obligation, time without an
// offset) fails with a non-retryable type, so a short retry budget suffices for worker restarts.
// The heartbeat timeout: a worker killed mid-call costs seconds, not the whole 30 s attempt.
const OPTIONS = { startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 } } as const;

export const computeDeadlines: ComputeDeadlines = (request) => proxyActivities<{ 'deadlines.compute': ComputeDeadlines }>({ ...OPTIONS, ...liveness('deadlines-compute-heartbeat') })['deadlines.compute'](request);

/**
 * Every clock of a step in one local activity (incidents on RELEASE_PATCH): pure arithmetic needs no task queue round
 * trip, and its result is one marker in the same workflow task instead of an activity's three events and a task of
 * its own. A worker killed mid-call fails the workflow task, which another worker retries.
 */
export const computeAllDeadlines: ComputeAllDeadlines = (request) =>
  oneLocalActivityAtATime(() => proxyLocalActivities<{ 'deadlines.compute-all': ComputeAllDeadlines }>(OPTIONS)['deadlines.compute-all'](request));
