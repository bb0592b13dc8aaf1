import { ApplicationFailure } from '@temporalio/activity';
import { VendorFailureType } from '../vendor-kit/failures';

/**
 * Classifies an AWS SDK error like vendor-http classifies HTTP answers: throttling retried, a missing target
 * (NoSuchEntity, InvalidInstanceID.NotFound, WAFNonexistentItemException, NoSuchBucket) non-retryable naming it,
 * access denied non-retryable, 5xx and network errors retried, any other refusal non-retryable. The message carries
 * the error code and the target, never request parameters.
 */

const NOT_FOUND = /NoSuchEntity|NotFound|NonexistentItem|NoSuchBucket|InvalidInstanceID/;
const THROTTLED = /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|LimitExceededException/;
/** Someone else changed the resource between our read and write (WAF lock tokens): read again and retry. */
const CONFLICT = /OptimisticLock|ConcurrentModification/;
const DENIED = /AccessDenied|UnauthorizedOperation|InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|AuthFailure/;

export async function awsCall<T>(operation: string, target: string, call: () => Promise<T>, deniedHint = 'the role needs the IAM actions the README lists'): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // Already classified: the assumed-role credentials failed inside the SDK's signing of this call.
    if (error instanceof ApplicationFailure) throw error;
    const err = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
    const code = err.Code ?? err.name ?? 'Error';
    const status = err.$metadata?.httpStatusCode;
    const details = [{ vendor: 'aws', operation, target, code, status }];
    if (code === 'CredentialsProviderError') {
      const message = `aws ${operation}: no credentials (vendors.aws.accessKeyId and secretAccessKey, or the SDK's default chain: environment, profile, instance or task role)`;
      throw ApplicationFailure.create({ type: VendorFailureType.Unauthorized, message, nonRetryable: true, details });
    }
    if (THROTTLED.test(code) || status === 429) throw ApplicationFailure.create({ type: VendorFailureType.RateLimited, message: `aws ${operation} throttled (${code})`, details });
    if (CONFLICT.test(code)) throw ApplicationFailure.create({ type: VendorFailureType.Unavailable, message: `aws ${operation} raced another change (${code})`, details });
    if (NOT_FOUND.test(code) || status === 404) throw ApplicationFailure.create({ type: VendorFailureType.TargetNotFound, message: `${target} not found at aws (${code})`, nonRetryable: true, details });
    if (DENIED.test(code) || status === 403) {
      throw ApplicationFailure.create({ type: VendorFailureType.Unauthorized, message: `aws ${operation} denied (${code}): ${deniedHint}`, nonRetryable: true, details });
    }
    if (status === undefined || status >= 500) throw ApplicationFailure.create({ type: VendorFailureType.Unavailable, message: `aws ${operation} failed (${code})`, details });
    throw ApplicationFailure.create({ type: VendorFailureType.Refused, message: `aws ${operation} refused (${code})`, nonRetryable: true, details });
  }
}
