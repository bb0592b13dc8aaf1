import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Alert } from '../../runbooks/schema/alert';
import type { AbortRequest, AnswerRequest, ClockStopRequest, DecisionRequest, RunRunbookRequest, StepResolution } from './messages';
import type { IncidentStatus } from './state';

/*
 * The incident's signals, updates and query: names and types only. Payloads are parsed by their zod schemas in
 * messages.ts at the edge; workflow code imports this file, never the schemas.
 */

/** A repeat or resolved alert for the open incident (same fingerprint). */
export const alertSignal = defineSignal<[Alert]>('alertSignal');
/** An approval or rejection; the validator refuses (and records nothing) when the actor may not decide. */
export const decideUpdate = defineUpdate<DecisionOutcome, [DecisionRequest]>('decideUpdate');
export const answerUpdate = defineUpdate<{ stepId: string; value: string | number | boolean }, [AnswerRequest]>('answerUpdate');
export const abortUpdate = defineUpdate<{ aborted: true }, [AbortRequest]>('abortUpdate');
/** What to do with an action step that failed under an `escalate` policy. */
export const resolveStepUpdate = defineUpdate<{ stepId: string; choice: StepResolution['choice'] }, [StepResolution]>('resolveStepUpdate');
/** Starts the added runbook as a child workflow and answers at once; its step `run-<runbook-id>` tracks it. */
export const runRunbookUpdate = defineUpdate<{ started: true; childId: string }, [RunRunbookRequest]>('runRunbookUpdate');
/** Ends a running deadline clock with a recorded reason; only those who may approve the runbook's disclosures (or the incident commander). */
export const stopClockUpdate = defineUpdate<{ clockId: string; stopped: true }, [ClockStopRequest]>('stopClockUpdate');
export const statusQuery = defineQuery<IncidentStatus>('statusQuery');

export interface DecisionOutcome {
  stepId: string;
  decision: 'approve' | 'reject';
  by: string;
  /** approved: enough distinct approvers; rejected: any rejection; pending: more approvers needed. */
  stepOutcome: 'approved' | 'rejected' | 'pending';
}
