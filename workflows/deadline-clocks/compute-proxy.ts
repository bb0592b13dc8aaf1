import { proxyActivities } from '@temporalio/workflow';
import type { ComputeDeadlines } from './types';

// Arithmetic over a catalogue loaded once per worker: quick, and a bad input (unknown obligation, time without an
// offset) fails with a non-retryable type, so a short retry budget suffices for worker restarts.
const { 'deadlines.compute': compute } = proxyActivities<{ 'deadlines.compute': ComputeDeadlines }>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 },
});

export const computeDeadlines: ComputeDeadlines = (request) => compute(request);
