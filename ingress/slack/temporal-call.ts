import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';
import { decisionError } from '../api/decision-errors';
import type { SlackListenerDeps } from './deps';

/** Why a Temporal call from Slack did not succeed, with a stable code the user sees next to the explanation. */
export interface CallProblem {
  code: string;
  message: string;
}

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

/** Maps a failed Temporal call to what the Slack user is told. */
export function callProblem(error: unknown): CallProblem {
  // The client wraps gRPC failures of some calls (queries, starts) in a ServiceError; the status code is on the cause.
  if (error instanceof ServiceError && isGrpcServiceError(error.cause)) return callProblem(error.cause);
  const refused = decisionError(error);
  if (refused) return { code: refused.body.error, message: refused.body.message };
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || (isGrpcServiceError(error) && error.code === GRPC_DEADLINE_EXCEEDED)) {
    return { code: 'temporal.timeout', message: 'Firebreak could not get an answer from Temporal in time. Nothing is lost: try again, a repeat of the same decision is answered with the first result.' };
  }
  if (isGrpcServiceError(error) && error.code === GRPC_UNAVAILABLE) {
    return { code: 'temporal.unavailable', message: 'Temporal is unreachable right now; your request was not recorded. Try again shortly.' };
  }
  return { code: 'internal', message: 'Firebreak could not complete this request; it is logged.' };
}

/** Runs a Temporal call with the listener deadline, so a slow cluster turns into a message instead of silence. */
export async function withTemporal<T>(deps: Pick<SlackListenerDeps, 'temporal' | 'temporalTimeoutMs'>, call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; problem: CallProblem; error: unknown }> {
  try {
    return { ok: true, value: await deps.temporal.withDeadline(Date.now() + deps.temporalTimeoutMs, call) };
  } catch (error) {
    return { ok: false, problem: callProblem(error), error };
  }
}
