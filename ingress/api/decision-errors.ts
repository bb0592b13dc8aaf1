import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { FailureType } from '../../workflows/failure-types';

export interface ApiError {
  status: number;
  body: { error: string; message: string };
}

const STATUS_BY_TYPE: Record<string, number> = {
  [FailureType.ApprovalNotPermitted]: 403,
  [FailureType.ApprovalSeparationOfDuties]: 403,
  [FailureType.StepNotWaiting]: 409,
  [FailureType.ClockNotRunning]: 409,
  [FailureType.IncidentClosed]: 409,
  [FailureType.AnswerInvalid]: 400,
  [FailureType.ApprovalDraftMismatch]: 409,
  [FailureType.RunbookAlreadyRunning]: 409,
};

/** Maps a refused Update (validator reason) or a missing incident to an HTTP answer; undefined for anything else. */
export function decisionError(error: unknown): ApiError | undefined {
  if (error instanceof WorkflowNotFoundError) return { status: 404, body: { error: 'incident.not_found', message: 'no such incident' } };
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const type = error.cause.type ?? 'update.refused';
    return { status: STATUS_BY_TYPE[type] ?? 422, body: { error: type, message: error.cause.message } };
  }
  return undefined;
}
