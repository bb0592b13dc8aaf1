/**
 * ApplicationFailure `type` strings of the HTTP-calling activities (http.request and the containment adapters).
 * Stable: runbook authors and the incident timeline see them.
 */
export const HttpFailureType = {
  EndpointUnknown: 'http.endpoint_unknown',
  SecretUnknown: 'http.secret_unknown',
  HostNotAllowed: 'http.host_not_allowed',
  ClientError: 'http.client_error',
  RateLimited: 'http.rate_limited',
  ServerError: 'http.server_error',
  Unreachable: 'http.unreachable',
  Timeout: 'http.timeout',
  ResponseTooLarge: 'http.response_too_large',
  ContainmentNotConfigured: 'containment.not_configured',
} as const;
export type HttpFailureType = (typeof HttpFailureType)[keyof typeof HttpFailureType];
