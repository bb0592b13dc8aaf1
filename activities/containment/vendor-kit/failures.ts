/**
 * ApplicationFailure `type` strings of the vendor containment actions (AWS, Okta, Entra, Google, LDAP, and the EDR,
 * edge and Kubernetes adapters that reuse this kit). Stable: runbook authors and the incident timeline see them.
 * Retryable ones are thrown with `nonRetryable: false` so the step's retry policy (and `nextRetryDelay` from the
 * vendor's rate-limit headers) decides when to try again; the rest stop the step at once.
 */
export const VendorFailureType = {
  /** 429: retried after the vendor's Retry-After / X-Rate-Limit-Reset. */
  RateLimited: 'containment.rate_limited',
  /** 5xx, 408, a timeout or a network error: retried with backoff. */
  Unavailable: 'containment.vendor_unavailable',
  /** 404 on the target (user, key, instance): names the target; never retried. */
  TargetNotFound: 'containment.target_not_found',
  /** 401/403: the credentials are wrong or lack the permission the README names; never retried. */
  Unauthorized: 'containment.unauthorized',
  /** The vendor's TLS certificate is not signed by the configured CA or does not name the host: never retried. */
  TlsUntrusted: 'containment.tls_untrusted',
  /** Any other refusal (400, 409, 422...): retrying would repeat it. */
  Refused: 'containment.vendor_refused',
  /** The capability's vendor is not configured (`containment.<area>` / `vendors.<name>`). */
  NotConfigured: 'containment.not_configured',
  /** The undo found neither a recorded prior state nor an explicit target to restore. */
  NothingToRestore: 'containment.nothing_to_restore',
} as const;
export type VendorFailureType = (typeof VendorFailureType)[keyof typeof VendorFailureType];

/** Node's error codes for a certificate that does not verify (unknown issuer, self-signed, expired, wrong host name). */
const TLS_CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME_INVALID/;

/** The certificate error code of a failed connection (fetch puts it on `cause`), or undefined for any other failure. */
export function tlsCertificateError(error: unknown): string | undefined {
  const codes = [(error as { code?: unknown })?.code, (error as { cause?: { code?: unknown } })?.cause?.code];
  return codes.find((code): code is string => typeof code === 'string' && TLS_CERTIFICATE.test(code));
}
