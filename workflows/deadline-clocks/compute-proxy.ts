import { proxyActivities } from '@temporalio/workflow';
import { liveness } from '../activity-liveness';
import type { ComputeDeadlines } from './types';

// Arithmetic over a catalogue loaded once per worker: quick, and a bad input (unknown obligation, time without an
// offset) fails with a non-retryable type, so a short retry budget suffices for worker restarts.
// The heartbeat timeout: a worker killed mid-call costs seconds, not the whole 30 s attempt.
const OPTIONS = { startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 } } as const;

export const computeDeadlines: ComputeDeadlines = (request) => proxyActivities<{ 'deadlines.compute': ComputeDeadlines }>({ ...OPTIONS, ...liveness('deadlines-compute-heartbeat') })['deadlines.compute'](request);
