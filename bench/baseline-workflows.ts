import { proxyActivities } from '@temporalio/workflow';
import type { ActionFn } from '../workflows/runbook-interpreter/steps/action';

// The same timeout and retry policy an action step gets by default (runbooks/schema/step.ts), so only the interpreter differs.
const { noop } = proxyActivities<{ noop: ActionFn }>({
  startToCloseTimeout: '5m',
  retry: { maximumAttempts: 5, initialInterval: '1s', maximumInterval: '1m' },
});

/** The baseline for bench/interpreter.ts: the `noop` activity `steps` times in sequence, with the request an action step sends. */
export async function baselineNoopsWorkflow(incidentId: string, steps: number): Promise<void> {
  for (let i = 1; i <= steps; i++) {
    const stepId = `step-${i}`;
    await noop({ key: `${incidentId}/${stepId}`, incidentId, stepId, input: {} });
  }
}
