import { ApplicationFailure, ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';
import type { z } from 'zod';
import { FailureType } from '../workflows/failure-types';

/**
 * Why a request about an incident was not done, in the one shape every edge shows: a stable dotted `code`, a message a
 * person can act on, the HTTP `status` it maps to, and for malformed input the `issues` with their paths.
 */
export interface Problem {
  code: string;
  message: string;
  status: number;
  issues?: { path: PropertyKey[]; message: string }[];
}

/** What every incident-client method resolves to: the value, or the problem. Never throws for a refusal or an outage. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: Problem };

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

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_FAILED_PRECONDITION = 9;
const GRPC_UNAVAILABLE = 14;

/**
 * The server dropped an Update because the workflow task it was delivered in failed for a reason of the server's own
 * (an event such as a signal arrived while the task completed the run: UnhandledCommand). Nothing of the Update ran,
 * and the next task takes a resend under the same update id; the client SDK does not resend it itself.
 */
export function updateLostToTaskFailure(error: unknown): boolean {
  const cause = error instanceof WorkflowUpdateFailedError || error instanceof Error ? (error as Error).cause : undefined;
  return isGrpcServiceError(cause) && cause.code === GRPC_FAILED_PRECONDITION && /unexpected workflow task failure/i.test(cause.details ?? cause.message);
}

/** Malformed input: the code the HTTP API has always answered 400 with, every zod issue with its path. */
export function invalidRequest(error: z.ZodError): Problem {
  const issues = error.issues.map((i) => ({ path: i.path, message: i.message }));
  return { code: 'request.invalid', status: 400, message: issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; '), issues };
}

/** A validator's refusal (its ApplicationFailure type) or a missing incident; undefined for anything else. */
export function refusalProblem(error: unknown): Problem | undefined {
  if (error instanceof WorkflowNotFoundError) return { code: 'incident.not_found', message: 'no such incident', status: 404 };
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const type = error.cause.type ?? 'update.refused';
    return { code: type, message: error.cause.message, status: STATUS_BY_TYPE[type] ?? 422 };
  }
  return undefined;
}

/** Maps any failed Temporal call: refusals as above, a deadline or an unreachable cluster as 503, the rest as 500. */
export function temporalProblem(error: unknown): Problem {
  // The client wraps gRPC failures of some calls (queries, starts) in a ServiceError; the status code is on the cause.
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return temporalProblem(error.cause);
  const refused = refusalProblem(error);
  if (refused) return refused;
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || (isGrpcServiceError(error) && error.code === GRPC_DEADLINE_EXCEEDED)) {
    return { code: 'temporal.timeout', status: 503, message: 'Firebreak could not get an answer from Temporal in time. Nothing is lost: try again, a repeat of the same decision is answered with the first result.' };
  }
  if (isGrpcServiceError(error) && error.code === GRPC_UNAVAILABLE) {
    return { code: 'temporal.unavailable', status: 503, message: 'Temporal is unreachable right now; your request was not recorded. Try again shortly.' };
  }
  return { code: 'internal', status: 500, message: 'Firebreak could not complete this request; it is logged.' };
}
