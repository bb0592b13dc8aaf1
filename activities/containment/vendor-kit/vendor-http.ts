import { ApplicationFailure, Context } from '@temporalio/activity';
import { VendorFailureType, tlsCertificateError } from './failures';

/**
 * A JSON client for one vendor's REST API, shared by every HTTP containment adapter (Okta, Graph, Google, and the
 * EDR / edge / Kubernetes ones). It classifies every answer into an ApplicationFailure the step's retry policy
 * understands, so adapters never branch on status codes themselves:
 * - 2xx resolves with the parsed body;
 * - 429 is retryable, with `nextRetryDelay` from `Retry-After` (seconds or HTTP date) or `X-Rate-Limit-Reset`
 *   (Okta: epoch seconds), so the next attempt waits as long as the vendor asked;
 * - 404 is non-retryable and names the target (`user alice@example.com not found at okta`);
 * - 401/403 non-retryable (and the cached token is dropped), 5xx/408/timeouts/network errors retryable.
 * Failure messages and details carry the vendor, method, path template and status, never headers or bodies, so a
 * token can never reach workflow history.
 *
 * Usage: `const http = createVendorHttp({ vendor: 'okta', baseUrl, authorization: () => token.header() });`
 * then `await http.send({ method: 'POST', path: '/api/v1/users/{id}/lifecycle/suspend', params: { id }, target })`.
 */

export type VendorMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request, as data: `plan` shows exactly this, `send` sends exactly this. */
export interface VendorRequest {
  method: VendorMethod;
  /** A path template below the base URL; `{name}` segments are filled from `params`, percent-encoded. */
  path: string;
  params?: Readonly<Record<string, string>>;
  query?: Readonly<Record<string, string>>;
  body?: unknown;
  /** What the request acts on, named in a 404's message: `user alice@example.com`. */
  target: string;
  /** Statuses that are an answer rather than a failure for this call (e.g. 404 when reading "does it exist"). */
  accept?: readonly number[];
}

export interface VendorResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** The request as `plan` shows it: the exact URL and body, header names only (the authorization is `[redacted]`). */
export interface PlannedRequest {
  vendor: string;
  method: VendorMethod;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface VendorHttpOptions {
  vendor: string;
  baseUrl: string;
  /** The `Authorization` header value, resolved per call (a token source caches it). */
  authorization: () => Promise<string>;
  /** Called on 401 so a cached token that the vendor revoked early is fetched anew next time. */
  onUnauthorized?: () => void;
  timeoutMs?: number;
  extraHeaders?: Readonly<Record<string, string>>;
  now?: () => number;
}

export interface VendorHttp {
  readonly vendor: string;
  send<T = unknown>(request: VendorRequest): Promise<VendorResponse<T>>;
  plan(request: VendorRequest): PlannedRequest;
}

/** Retry-After (seconds or an HTTP date) or X-Rate-Limit-Reset (epoch seconds), as a delay in ms. */
export function rateLimitDelayMs(headers: Headers, nowMs: number): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  const reset = headers.get('x-rate-limit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - nowMs);
  return undefined;
}

export function fillPath(template: string, params: Readonly<Record<string, string>> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`path ${template}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
}

function urlFor(baseUrl: string, request: VendorRequest): URL {
  const base = new URL(baseUrl);
  const url = new URL(`${base.pathname.replace(/\/$/, '')}${fillPath(request.path, request.params)}`, base);
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  return url;
}

function cancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // outside an activity (unit tests)
  }
}

function fail(type: VendorFailureType, message: string, nonRetryable: boolean, details: Record<string, unknown>, nextRetryDelay?: number): never {
  throw ApplicationFailure.create({ type, message, nonRetryable, details: [details], ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}) });
}

export function createVendorHttp(options: VendorHttpOptions): VendorHttp {
  const { vendor } = options;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const baseHeaders = (hasBody: boolean): Record<string, string> => ({
    accept: 'application/json',
    'user-agent': 'firebreak-containment',
    ...(hasBody ? { 'content-type': 'application/json' } : {}),
    ...options.extraHeaders,
  });

  return {
    vendor,
    plan(request) {
      const headers = { ...baseHeaders(request.body !== undefined), authorization: '[redacted]' };
      return { vendor, method: request.method, url: urlFor(options.baseUrl, request).toString(), headers, ...(request.body !== undefined ? { body: request.body } : {}) };
    },
    async send<T>(request: VendorRequest): Promise<VendorResponse<T>> {
      const url = urlFor(options.baseUrl, request);
      const facts = { vendor, method: request.method, path: request.path, target: request.target };
      const headers = { ...baseHeaders(request.body !== undefined), authorization: await options.authorization() };
      const signals = [AbortSignal.timeout(timeoutMs), cancellationSignal()].filter((s): s is AbortSignal => s !== undefined);
      let response: Response;
      try {
        response = await fetch(url, {
          method: request.method,
          headers,
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          redirect: 'error',
          signal: AbortSignal.any(signals),
        });
      } catch (error) {
        if ((error as Error).name === 'AbortError') throw error;
        const certificate = tlsCertificateError(error);
        if (certificate) return fail(VendorFailureType.TlsUntrusted, `${vendor}: the TLS certificate of ${url.host} is not trusted (${certificate})`, true, { ...facts, code: certificate });
        const code = (error as Error).name === 'TimeoutError' ? 'timeout' : String((error as { cause?: { code?: string } }).cause?.code ?? 'network_error');
        return fail(VendorFailureType.Unavailable, `${request.method} ${vendor} ${request.path} failed (${code})`, false, { ...facts, code });
      }
      const text = await response.text();
      const status = response.status;
      const what = `${vendor} answered ${status} to ${request.method} ${request.path}`;
      if ((status >= 200 && status < 300) || request.accept?.includes(status)) {
        let body: unknown;
        try {
          body = text.length > 0 ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        return { status, body: body as T, headers: response.headers };
      }
      const withStatus = { ...facts, status };
      if (status === 429) fail(VendorFailureType.RateLimited, `${what} (rate limited)`, false, withStatus, rateLimitDelayMs(response.headers, now()));
      if (status >= 500 || status === 408) fail(VendorFailureType.Unavailable, what, false, withStatus, rateLimitDelayMs(response.headers, now()));
      if (status === 404) fail(VendorFailureType.TargetNotFound, `${request.target} not found at ${vendor}`, true, withStatus);
      if (status === 401 || status === 403) {
        if (status === 401) options.onUnauthorized?.();
        fail(VendorFailureType.Unauthorized, `${what}: check the ${vendor} credentials and the permissions the README lists`, true, withStatus);
      }
      return fail(VendorFailureType.Refused, what, true, withStatus);
    },
  };
}
