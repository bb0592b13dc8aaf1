import { ApplicationFailure } from '@temporalio/activity';
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient } from '@slack/web-api';
import { FailureType } from '../../workflows/failure-types';

/**
 * The one Slack Web API client shape Firebreak uses: its own retries off (Temporal owns retries, and the SDK's default
 * would sit on a 429 for up to half an hour inside one activity attempt), rate limits thrown rather than waited out.
 */
export function createSlackWebClient(token: string, apiUrl?: string): WebClient {
  return new WebClient(token, {
    ...(apiUrl && { slackApiUrl: apiUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
}

// Platform errors Slack documents as transient; every other `ok: false` is a refusal a retry cannot change.
const TRANSIENT_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

/** The Slack error code (`channel_not_found`, …) of a platform error; undefined for anything else. */
export function slackErrorCode(error: unknown): string | undefined {
  return error instanceof WebAPIPlatformError ? error.data.error : undefined;
}

/** Turns a Web API error into the ApplicationFailure Temporal's retry policy acts on. */
export function toActivityFailure(method: string, error: unknown): ApplicationFailure {
  if (error instanceof WebAPIRateLimitedError) {
    return ApplicationFailure.create({
      type: FailureType.SlackRateLimited,
      message: `${method}: rate limited`,
      details: [{ method, retryAfterSeconds: error.retryAfter }],
      nextRetryDelay: Math.max(1, error.retryAfter) * 1000,
    });
  }
  if (error instanceof WebAPIHTTPError) {
    const transient = error.statusCode >= 500 || error.statusCode === 408;
    return ApplicationFailure.create({
      type: transient ? FailureType.SlackUnavailable : FailureType.SlackRejected,
      message: `${method}: HTTP ${error.statusCode}`,
      details: [{ method, status: error.statusCode }],
      nonRetryable: !transient,
    });
  }
  if (error instanceof WebAPIPlatformError) {
    const transient = TRANSIENT_PLATFORM_ERRORS.has(error.data.error);
    return ApplicationFailure.create({
      type: transient ? FailureType.SlackUnavailable : FailureType.SlackRejected,
      message: `${method}: ${error.data.error}`,
      details: [{ method, error: error.data.error }],
      nonRetryable: !transient,
    });
  }
  const reason = error instanceof WebAPIRequestError ? error.original.message : (error as Error).message;
  return ApplicationFailure.create({ type: FailureType.SlackUnavailable, message: `${method}: ${reason}`, details: [{ method }] });
}

/** Runs one Web API call; failures come back as ApplicationFailures with stable types. */
export async function callSlack<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toActivityFailure(method, error);
  }
}

/** Like callSlack, but the named Slack error codes (`already_in_channel`, …) mean "nothing to do" and yield undefined. */
export async function callSlackTolerating<T>(method: string, tolerated: readonly string[], call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    const code = slackErrorCode(error);
    if (code !== undefined && tolerated.includes(code)) return undefined;
    throw toActivityFailure(method, error);
  }
}
