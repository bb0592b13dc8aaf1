import { allHandlersFinished, workflowInfo } from '@temporalio/workflow';
import { approvalOutcome } from '../runbook-interpreter/steps/approval';
import type { IncidentState } from './state';
import { timelinePublished } from './timeline-publisher';

/** Temporal warns at 10,240 events and terminates at 51,200; rolling over well before keeps long incidents alive. */
export const DEFAULT_HISTORY_EVENT_LIMIT = 10_000;

/**
 * Alerts one run takes before it rolls over. In a storm the roll-over races the alerts: a continue-as-new that a new
 * alert overtakes is refused by Temporal and the run is replayed from its first event before it tries again, so a run
 * must stay short enough to replay in well under a workflow task timeout on a busy worker, or it never gets out.
 */
export const STORM_ROLL_ALERTS = 500;

// Kinds whose `running` state means an activity or child workflow is in flight: rolling over then would abandon it.
const IN_FLIGHT_KINDS = new Set(['action', 'clock', 'runbook']);

/**
 * Whether the incident should continue as new now: its history is long, and it is at rest — every step is waiting on
 * people or timers with nothing decided but not yet taken up, no activity in flight, every timeline entry published,
 * and no message handler still running. Then the carried state fully describes the incident.
 */
export function readyToContinueAsNew(state: IncidentState, historyEventLimit: number, alertsThisRun = 0): boolean {
  const info = workflowInfo();
  if (!info.continueAsNewSuggested && info.historyLength < historyEventLimit && alertsThisRun < STORM_ROLL_ALERTS) return false;
  const status = state.status;
  const busy = status.steps.some((s) => (s.state === 'running' && IN_FLIGHT_KINDS.has(s.kind)) || s.state === 'blocked');
  const decidedNotTaken = status.approvals.some((a) => approvalOutcome(a) !== 'pending' && status.steps.find((s) => s.id === a.stepId)?.state === 'waiting');
  const answeredNotTaken = status.pendingInputs.some((p) => Object.prototype.hasOwnProperty.call(status.answers, p.stepId));
  return !busy && !(state.escalating ?? 0) && !decidedNotTaken && !answeredNotTaken && timelinePublished(state) && allHandlersFinished();
}
