import { ApplicationFailure, log } from '@temporalio/activity';
import { httpRequest } from '../../runbooks/actions/http';
import { FailureType } from '../../workflows/failure-types';
import type { ActionRequest } from '../../workflows/runbook-interpreter/steps/action';
import { type EndpointResponse, type HttpEndpoint, type SecretValue, callEndpoint } from './endpoint';
import { HttpFailureType } from './failures';

export interface HttpDeps {
  /** Configured endpoints by name; a runbook can reach nothing else. */
  endpoints: Readonly<Record<string, HttpEndpoint>>;
}

export interface HttpRequestResult {
  endpoint: string;
  method: string;
  status: number;
  bodySha256: string;
  bodyBytes: number;
  /** The parsed JSON answer when small enough to keep in history (so evidence.capture can store it). */
  body?: unknown;
}

/** Answers up to this size are kept as step results; larger ones are recorded by hash only. */
const KEPT_BODY_BYTES = 64 * 1024;

export function endpointNamed(deps: HttpDeps, name: string): HttpEndpoint {
  const endpoint = deps.endpoints[name];
  if (!endpoint) {
    throw ApplicationFailure.create({ type: HttpFailureType.EndpointUnknown, message: `no endpoint named ${name} in configuration`, nonRetryable: true, details: [{ endpoint: name }] });
  }
  return endpoint;
}

/** Parsed JSON worth keeping, or undefined: too big, not JSON, or it echoes one of the endpoint's secrets. */
function keptBody(endpoint: HttpEndpoint, response: EndpointResponse): unknown {
  if (response.bodyBytes === 0 || response.bodyBytes > KEPT_BODY_BYTES || !/json/i.test(response.contentType ?? '')) return undefined;
  const secrets = [...Object.values(endpoint.headers), ...Object.values(endpoint.secrets)].map((resolve) => resolve().reveal());
  // A receiver that echoes request headers (debug endpoints do) would otherwise put the token into history.
  if (secrets.some((secret) => secret.length > 0 && response.text.includes(secret))) return undefined;
  try {
    return JSON.parse(response.text) as unknown;
  } catch {
    return undefined;
  }
}

/** `http.request`: one call to a named endpoint; the secret header is resolved here from its name, never passed in. */
export const createHttpRequest =
  (deps: HttpDeps) =>
  async (request: ActionRequest): Promise<HttpRequestResult> => {
    const parsed = httpRequest.input.safeParse(request.input);
    if (!parsed.success) {
      const paths = parsed.error.issues.map((issue) => issue.path.join('.'));
      throw ApplicationFailure.create({ type: FailureType.ActionInputInvalid, message: `http.request input invalid at ${paths.join(', ')}`, nonRetryable: true, details: [{ paths }] });
    }
    const input = parsed.data as { endpoint: string; method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path?: string; body?: unknown; secretHeader?: { name: string; secret: string } };
    const endpoint = endpointNamed(deps, input.endpoint);
    const secretHeaders: Record<string, SecretValue> = {};
    if (input.secretHeader) {
      const resolve = endpoint.secrets[input.secretHeader.secret];
      if (!resolve) {
        throw ApplicationFailure.create({
          type: HttpFailureType.SecretUnknown,
          message: `endpoint ${endpoint.name} has no secret named ${input.secretHeader.secret}`,
          nonRetryable: true,
          details: [{ endpoint: endpoint.name, secret: input.secretHeader.secret }],
        });
      }
      secretHeaders[input.secretHeader.name] = resolve();
    }
    const response = await callEndpoint(endpoint, { method: input.method, path: input.path, body: input.body, idempotencyKey: request.key, secretHeaders });
    log.info('http request answered', { incidentId: request.incidentId, stepId: request.stepId, endpoint: endpoint.name, method: input.method, status: response.status });
    const body = keptBody(endpoint, response);
    return { endpoint: endpoint.name, method: input.method, status: response.status, bodySha256: response.bodySha256, bodyBytes: response.bodyBytes, ...(body !== undefined ? { body } : {}) };
  };
