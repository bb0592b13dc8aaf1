import { readFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAPIBackend, type Document, type Request as ApiRequest } from 'openapi-backend';
import { parse as parseYaml } from 'yaml';

/*
 * A local stand-in for a vendor API that cannot run here (Okta, Microsoft Graph, Google Admin SDK, and the EDR / edge
 * APIs of issue 14). Every request is checked against the vendor's published API description, trimmed to the
 * operations used (test/fixtures/vendor-apis/, source and version named in each fixture's header), by openapi-backend
 * (ajv underneath): method and path must be an operation, path and query parameters must match their schemas and no
 * unknown query parameter is allowed, the JSON body must match the request schema, a body is refused where the
 * operation takes none, and the operation's security scheme must be met (an `Authorization` header of the right kind).
 * A refused request is answered 400 and recorded in `refusals`; call `assertNoRefusals()` in `afterEach` so any
 * request the vendor would refuse fails the test. Accepted requests reach the handler the test registered for their
 * `operationId` (no handler: 501, also a refusal), which keeps whatever state the scenario needs.
 *
 * Google publishes discovery documents rather than OpenAPI: `discoveryToOpenApi` converts one (paths, parameters,
 * request schemas) so the same validator checks it.
 */

export interface ValidatedRequest {
  operationId: string;
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface HandlerAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type OperationHandler = (request: ValidatedRequest) => HandlerAnswer | Promise<HandlerAnswer>;

export interface Refusal {
  method: string;
  path: string;
  reason: string;
}

export interface ValidatingServer {
  url: string;
  /** Every request that reached a handler, in order. */
  requests: ValidatedRequest[];
  refusals: Refusal[];
  handle(operationId: string, handler: OperationHandler): void;
  /** A route outside the description (an OAuth token endpoint); the handler validates it itself. */
  route(method: string, path: string, handler: (form: URLSearchParams, headers: IncomingMessage['headers']) => HandlerAnswer): void;
  assertNoRefusals(): void;
  stop(): Promise<void>;
}

/** Reads a fixture (YAML or JSON). A discovery document (`kind: discovery#restDescription`) is converted. */
export function loadApiDescription(file: string): Document {
  const raw = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: -1 }) as Record<string, unknown>;
  return raw.kind === 'discovery#restDescription' ? discoveryToOpenApi(raw) : (raw as unknown as Document);
}

type Json = Record<string, unknown>;

function discoverySchema(schema: unknown, closed: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((s) => discoverySchema(s, closed));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) {
    if (['id', 'annotations', 'enumDescriptions', 'location', 'repeated'].includes(key)) continue;
    if (key === 'required' && typeof value === 'boolean') continue;
    if (key === '$ref') out.$ref = `#/components/schemas/${String(value)}`;
    else if (key === 'type' && value === 'any') continue;
    else if (key === 'properties' || key === 'additionalProperties' || key === 'items') {
      out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, discoverySchema(v, closed)])) : discoverySchema(value, closed);
    } else out[key] = value;
  }
  // Google's front end refuses JSON names a message does not define ("Invalid JSON payload received. Unknown name").
  if (closed && out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** Converts a Google discovery document's methods and schemas into an OpenAPI 3 document. */
export function discoveryToOpenApi(discovery: Json): Document {
  const paths: Record<string, Json> = {};
  const globalParams = (discovery.parameters ?? {}) as Record<string, Json>;
  const param = (name: string, p: Json) => {
    const base = discoverySchema(p, true) as Json;
    const schema = p.repeated ? { type: 'array', items: base } : base;
    return { name, in: p.location, required: p.location === 'path' || p.required === true, schema };
  };
  const visit = (resources: Record<string, Json>) => {
    for (const resource of Object.values(resources)) {
      for (const method of Object.values((resource.methods ?? {}) as Record<string, Json>)) {
        const path = `/${String(method.path)}`;
        const params = { ...globalParams, ...((method.parameters ?? {}) as Record<string, Json>) };
        const request = method.request as Json | undefined;
        paths[path] ??= {};
        paths[path]![String(method.httpMethod).toLowerCase()] = {
          operationId: method.id,
          parameters: Object.entries(params).map(([name, p]) => param(name, p)),
          ...(request ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${String(request.$ref)}` } } } } } : {}),
          responses: { '200': { description: 'OK' } },
          security: [{ oauth2: [] }],
        };
      }
      if (resource.resources) visit(resource.resources as Record<string, Json>);
    }
  };
  visit((discovery.resources ?? {}) as Record<string, Json>);
  const schemas = Object.fromEntries(Object.entries((discovery.schemas ?? {}) as Json).map(([name, s]) => [name, discoverySchema(s, true)]));
  return {
    openapi: '3.0.3',
    info: { title: String(discovery.title ?? discovery.name), version: String(discovery.revision ?? discovery.version) },
    servers: [{ url: String(discovery.rootUrl ?? discovery.baseUrl ?? '/') }],
    paths,
    components: { schemas, securitySchemes: { oauth2: { type: 'http', scheme: 'bearer' } } },
  } as unknown as Document;
}

function securityProblem(api: OpenAPIBackend, operationId: string, headers: IncomingMessage['headers']): string | undefined {
  const operation = api.getOperation(operationId) as unknown as { security?: Json[] } | undefined;
  const requirements = operation?.security ?? ((api.definition as unknown as { security?: Json[] }).security ?? []);
  if (requirements.length === 0) return undefined;
  const schemes = (api.definition.components?.securitySchemes ?? {}) as unknown as Record<string, Json>;
  const authorization = headers.authorization ?? '';
  const met = requirements.some((requirement) =>
    Object.keys(requirement).every((name) => {
      const scheme = schemes[name] ?? {};
      if (scheme.type === 'apiKey') return scheme.in === 'header' && typeof headers[String(scheme.name).toLowerCase()] === 'string';
      if (scheme.type === 'oauth2' || (scheme.type === 'http' && scheme.scheme === 'bearer')) return /^Bearer \S+$/.test(authorization);
      return false;
    }),
  );
  return met ? undefined : `security: none of ${requirements.map((r) => Object.keys(r).join('+')).join(', ')} is met by the request's headers`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * An object query parameter serialized `form` with `explode` (OpenAPI's default) travels as one query parameter per
 * property (Cloudflare's `filters`: `?configuration.value=...&match=all`). openapi-backend validates it as a single
 * parameter named after the object, so it is rewritten here into the parameters that actually appear in the URL.
 */
function explodeObjectQueryParameters(description: Document): Document {
  const copy = structuredClone(description) as unknown as { paths: Record<string, Record<string, { parameters?: Json[] }>>; components?: { schemas?: Record<string, Json> } };
  const resolve = (schema: Json | undefined): Json | undefined => {
    const ref = schema?.$ref;
    return typeof ref === 'string' ? resolve(copy.components?.schemas?.[ref.split('/').pop()!]) : schema;
  };
  for (const item of Object.values(copy.paths)) {
    for (const holder of [item, ...Object.values(item)] as { parameters?: Json[] }[]) {
      if (!Array.isArray(holder?.parameters)) continue;
      holder.parameters = holder.parameters.flatMap((parameter) => {
        const schema = resolve(parameter.schema as Json | undefined);
        const exploded = parameter.in === 'query' && (parameter.style ?? 'form') === 'form' && parameter.explode !== false;
        if (!exploded || schema?.type !== 'object' || !schema.properties) return [parameter];
        return Object.entries(schema.properties as Record<string, Json>).map(([name, property]) => ({ name, in: 'query', schema: property }));
      });
    }
  }
  return copy as unknown as Document;
}

/**
 * Starts the server on a free loopback port. `description` is a loaded fixture (see loadApiDescription).
 * `validateResponses` also checks the handlers' 2xx bodies against the operation's response schema (a refusal if not).
 * `lazy` compiles each operation's validators when it is first used and skips checking the description itself: the
 * Kubernetes documents (the whole PodSpec tree) otherwise take over a minute to compile on a shared machine.
 */
export async function startValidatingServer(loaded: Document, opts: { lazy?: boolean; validateResponses?: boolean } = {}): Promise<ValidatingServer> {
  const description = explodeObjectQueryParameters(loaded);
  const apiRoot = new URL(description.servers?.[0]?.url ?? '/', 'http://placeholder').pathname.replace(/\/$/, '') || '/';
  const api = new OpenAPIBackend({ definition: description, apiRoot, strict: false, validate: true, quick: opts.lazy === true, ajvOpts: { strict: false, logger: false } });
  await api.init();
  const handlers = new Map<string, OperationHandler>();
  const routes = new Map<string, (form: URLSearchParams, headers: IncomingMessage['headers']) => HandlerAnswer>();
  const requests: ValidatedRequest[] = [];
  const refusals: Refusal[] = [];

  const refuse = (res: ServerResponse, method: string, path: string, reason: string, status = 400) => {
    refusals.push({ method, path, reason });
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'refused by the API description', reason }));
  };

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((error: unknown) => {
      // A failed assertion inside a handler must fail the test, not leave the client waiting for an answer.
      refuse(res, req.method ?? 'GET', req.url ?? '/', `the test's handler threw: ${(error as Error).message}`, 500);
    });
  });
  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    const route = routes.get(`${method} ${url.pathname}`);
    if (route) {
      const answer = route(new URLSearchParams(text), req.headers);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body ?? {}));
      return;
    }
    let body: unknown;
    if (text.length > 0) {
      // JSON and its structured-syntax variants (Kubernetes' application/merge-patch+json); the operation's schema decides the rest.
      if (!/^application\/([\w.-]+\+)?json\b/i.test(String(req.headers['content-type'] ?? ''))) return refuse(res, method, url.pathname, `body sent with content-type ${req.headers['content-type'] ?? '(none)'}`);
      try {
        body = JSON.parse(text);
      } catch {
        return refuse(res, method, url.pathname, 'body is not JSON');
      }
    }
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      query[key] = values.length === 1 ? values[0]! : values;
    }
    const request: ApiRequest = { method, path: url.pathname, query, headers: req.headers as Record<string, string>, body };
    const operation = api.matchOperation(request);
    if (!operation) return refuse(res, method, url.pathname, 'no operation in the description has this method and path', 404);
    const operationId = operation.operationId!;
    if (body !== undefined && !operation.requestBody) return refuse(res, method, url.pathname, `${operationId} takes no request body`);
    const security = securityProblem(api, operationId, req.headers);
    if (security) return refuse(res, method, url.pathname, `${operationId}: ${security}`, 401);
    const validation = api.validateRequest(request, operation);
    if (!validation.valid) {
      const reasons = (validation.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
      return refuse(res, method, url.pathname, `${operationId}: ${reasons.join('; ')}`);
    }
    const handler = handlers.get(operationId);
    if (!handler) return refuse(res, method, url.pathname, `${operationId} is valid but the test registered no handler`, 501);
    const params = api.router.parseRequest(request, operation).params ?? {};
    const validated: ValidatedRequest = { operationId, method, path: url.pathname, params, query, headers: req.headers, body };
    requests.push(validated);
    const answer = await handler(validated);
    // With validateResponses, a success the test's handler answers must be one the vendor could send: adapters are
    // then tested against the vendor's documented answers, not the fake's idea of them.
    if (opts.validateResponses && answer.status >= 200 && answer.status < 300 && answer.body !== undefined) {
      const checked = api.validateResponse(answer.body, operation, answer.status);
      if (!checked.valid) refusals.push({ method, path: url.pathname, reason: `${operationId}: the test's ${answer.status} answer is not one the description allows: ${(checked.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ')}` });
    }
    res.writeHead(answer.status, { ...(answer.body !== undefined ? { 'content-type': 'application/json' } : {}), ...answer.headers });
    // A text answer (a Kubernetes pod log) goes out as it is; everything else as JSON.
    const plain = typeof answer.body === 'string' && /^text\//.test(answer.headers?.['content-type'] ?? '');
    res.end(answer.body === undefined ? undefined : plain ? (answer.body as string) : JSON.stringify(answer.body));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    refusals,
    handle: (operationId, handler) => {
      if (!api.getOperation(operationId)) throw new Error(`no operation ${operationId} in the description`);
      handlers.set(operationId, handler);
    },
    route: (method, path, handler) => routes.set(`${method} ${path}`, handler),
    assertNoRefusals: () => {
      if (refusals.length > 0) throw new Error(`the vendor's API description refuses ${refusals.length} request(s):\n${refusals.map((r) => `  ${r.method} ${r.path}: ${r.reason}`).join('\n')}`);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
