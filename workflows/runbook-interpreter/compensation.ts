import { isCancellation } from '@temporalio/workflow';
import { addTimeline, findStep } from '../incident/state';
import { type RunContext, now } from './context';
import { disarmExpiry } from './expiry';
import { actionProxy, actionRequest } from './steps/action';

const UNDO_POLICY = { timeout: '5m', retry: { maximumAttempts: 10, initialInterval: '2s', maximumInterval: '2m' } } as const;

/** Undoes completed actions in reverse order (re-enable the account, unblock the IP) and records each undo. */
export async function compensate(ctx: RunContext): Promise<void> {
  while (ctx.compensations.length > 0) {
    const entry = ctx.compensations.pop()!;
    const { stepId, compensation } = entry;
    try {
      if (entry.lift) await disarmExpiry(ctx, stepId, entry.lift);
      await actionProxy(UNDO_POLICY, compensation.action)(actionRequest(ctx, stepId, compensation.with, '/undo'));
      const record = findStep(ctx.state, stepId);
      if (record) record.state = 'compensated';
      addTimeline(ctx.state, { at: now(), event: 'step.compensated', stepId, detail: compensation.action });
    } catch (error) {
      if (isCancellation(error)) throw error;
      addTimeline(ctx.state, { at: now(), event: 'step.compensation_failed', stepId, detail: (error as Error).message });
    }
  }
}
