import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { HttpFailureType } from './failures';

/** A value that is only unwrapped on the line that sends it (worker/secret.ts `Secret` satisfies this). */
export interface SecretValue {
  reveal(): string;
}

/** A configured endpoint as the activities see it. Secrets are resolved per call, so a rotated `file:` secret is picked up. */
export interface HttpEndpoint {
  name: string;
  url: string;
  allowedHosts: readonly string[];
  /** Sent on every call (e.g. the adapter's API token). */
  headers: Readonly<Record<string, () => SecretValue>>;
  /** Named secrets a runbook may place in a header of its choosing; never sent anywhere but this endpoint. */
  secrets: Readonly<Record<string, () => SecretValue>>;
  timeoutMs: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface EndpointCall {
  method: HttpMethod;
  path?: string;
  body?: unknown;
  /** The request's business key: a receiver that sees it twice knows it is a retry, not a second request. */
  idempotencyKey: string;
  /** Extra headers whose values are secrets (from `secretHeader`). */
  secretHeaders?: Readonly<Record<string, SecretValue>>;
}

/** What is recorded about a response: enough to prove what happened, never the secret that authorised it. */
export interface EndpointResponse {
  status: number;
  contentType?: string;
  bodySha256: string;
  bodyBytes: number;
  text: string;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 3;

function fail(type: HttpFailureType, message: string, nonRetryable: boolean, details: Record<string, unknown>, nextRetryDelay?: number): never {
  throw ApplicationFailure.create({ type, message, nonRetryable, details: [details], ...(nextRetryDelay !== undefined ? { nextRetryDelay } : {}) });
}

/** The endpoint URL with the step's path appended below it (a base of `/api` and a path `/users` give `/api/users`). */
function targetUrl(endpoint: HttpEndpoint, path: string | undefined): URL {
  const base = new URL(endpoint.url);
  if (!path) return base;
  return new URL(`${base.pathname.replace(/\/$/, '')}${path}`, base);
}

function requireAllowed(endpoint: HttpEndpoint, url: URL): void {
  if (!endpoint.allowedHosts.includes(url.host) && !endpoint.allowedHosts.includes(url.hostname)) {
    fail(HttpFailureType.HostNotAllowed, `endpoint ${endpoint.name} may not reach host ${url.hostname}`, true, { endpoint: endpoint.name, host: url.hostname });
  }
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function headersFor(endpoint: HttpEndpoint, call: EndpointCall, hasBody: boolean): Headers {
  const headers = new Headers({ accept: 'application/json', 'idempotency-key': call.idempotencyKey, 'user-agent': 'firebreak' });
  if (hasBody) headers.set('content-type', 'application/json');
  for (const [name, resolve] of Object.entries(endpoint.headers)) headers.set(name, resolve().reveal());
  for (const [name, secret] of Object.entries(call.secretHeaders ?? {})) headers.set(name, secret.reveal());
  return headers;
}

function cancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // called outside an activity (the CLI's runbook tests use fakes, so only unit tests get here)
  }
}

async function send(endpoint: HttpEndpoint, url: URL, init: RequestInit): Promise<Response> {
  const signals = [AbortSignal.timeout(endpoint.timeoutMs), cancellationSignal()].filter((s): s is AbortSignal => s !== undefined);
  const facts = { endpoint: endpoint.name, method: init.method };
  try {
    return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.any(signals) });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') fail(HttpFailureType.Timeout, `${init.method} ${endpoint.name} timed out after ${endpoint.timeoutMs}ms`, false, facts);
    if ((error as Error).name === 'AbortError') throw error;
    // The message names only the endpoint and the system error code: the request (and its headers) stay out of history.
    const code = ((error as { cause?: { code?: string } }).cause?.code ?? 'network_error').toString();
    return fail(HttpFailureType.Unreachable, `${init.method} ${endpoint.name} unreachable (${code})`, false, { ...facts, code });
  }
}

async function readBody(endpoint: HttpEndpoint, response: Response): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  const bytes = declared > MAX_RESPONSE_BYTES ? undefined : Buffer.from(await response.arrayBuffer());
  if (!bytes || bytes.length > MAX_RESPONSE_BYTES) {
    fail(HttpFailureType.ResponseTooLarge, `${endpoint.name} answered more than ${MAX_RESPONSE_BYTES} bytes`, true, { endpoint: endpoint.name, status: response.status });
  }
  return bytes;
}

function classify(endpoint: HttpEndpoint, method: string, response: Response, recorded: EndpointResponse): EndpointResponse {
  const facts = { endpoint: endpoint.name, method, status: response.status, bodySha256: recorded.bodySha256 };
  const status = response.status;
  if (status >= 200 && status < 300) return recorded;
  const what = `${method} ${endpoint.name} answered ${status}`;
  // 429 and 503 say when to come back; the next attempt waits that long instead of the policy's backoff.
  if (status === 429) fail(HttpFailureType.RateLimited, what, false, facts, retryAfterMs(response.headers.get('retry-after')));
  if (status >= 500 || status === 408) fail(HttpFailureType.ServerError, what, false, facts, retryAfterMs(response.headers.get('retry-after')));
  // Any other 4xx (and an unfollowed 3xx) will be refused again: retrying would only repeat it.
  return fail(HttpFailureType.ClientError, what, true, facts);
}

/**
 * Calls a configured endpoint with a JSON body. Resolves for 2xx; otherwise throws an ApplicationFailure whose
 * `type` is one of HttpFailureType: 4xx non-retryable, 429/5xx/network/timeouts retryable (429 honours Retry-After).
 * Redirects are followed only to allowed hosts.
 */
export async function callEndpoint(endpoint: HttpEndpoint, call: EndpointCall): Promise<EndpointResponse> {
  let url = targetUrl(endpoint, call.path);
  let method: string = call.method;
  let body = call.body === undefined ? undefined : JSON.stringify(call.body);
  for (let hop = 0; ; hop++) {
    requireAllowed(endpoint, url);
    const response = await send(endpoint, url, { method, headers: headersFor(endpoint, call, body !== undefined), body });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location && hop < MAX_REDIRECTS) {
      await response.body?.cancel();
      url = new URL(location, url);
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      continue;
    }
    const bytes = await readBody(endpoint, response);
    const recorded: EndpointResponse = {
      status: response.status,
      contentType: response.headers.get('content-type') ?? undefined,
      bodySha256: createHash('sha256').update(bytes).digest('hex'),
      bodyBytes: bytes.length,
      text: bytes.toString('utf8'),
    };
    return classify(endpoint, method, response, recorded);
  }
}
