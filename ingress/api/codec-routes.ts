import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../../shared/logger';
import type { Actor } from '../../workflows/incident/messages';
import { requireBearer } from './bearer-auth';
import { type IdpVerdict, bearerJwt } from './idp-access-tokens';
import type { TokenDirectory } from './token-directory';

export interface CodecRouteDeps {
  codec: PayloadCodec;
  tokens: TokenDirectory;
  /** Roles allowed to see decrypted payloads (config `codecRoles`). */
  roles: readonly string[];
  /** Browser origins allowed by CORS: the embedded Temporal UI on loopback, and config `codecOrigins` (a cluster's UI). */
  allowedOrigins: readonly string[];
  /**
   * Only on a loopback-only install with the embedded dev server: a request without a token from exactly these
   * origins (the embedded UI, which has no sign-in and so cannot send one) is served as the local admin.
   */
  localUi?: { origins: readonly string[]; actor: Actor };
  /** The identity provider's access tokens (config `codecAccessTokens`), as a cluster UI with `passAccessToken` sends them. */
  idpTokens?: { verify(token: string): Promise<IdpVerdict> };
  log: Logger;
}

/** The Temporal UI codec-server body: payloads with base64 metadata values and data. */
const WirePayloads = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).default({}), data: z.string().default('') })).max(1000),
});
type WirePayloads = z.infer<typeof WirePayloads>;

const fromWire = (body: WirePayloads): Payload[] =>
  body.payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data, 'base64'),
  }));

const toWire = (payloads: Payload[]): WirePayloads => ({
  payloads: payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  })),
});

/** Loopback origins of the Temporal UI (`localhost` and `127.0.0.1` on its port). */
export function loopbackUiOrigins(uiPort: number): string[] {
  return [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`];
}

/**
 * `POST /codec/decode` and `/codec/encode` in the Temporal UI codec-server protocol, so an operator's browser can show
 * decrypted history. Only a person with a codec role gets an answer (401 without a token, 403 without the role), and
 * CORS admits only the configured UI origins: any other web page the operator has open cannot read the answer. The
 * one exception is `localUi`: the embedded UI's exact origin on a loopback-only install stands for the local admin.
 */
export function registerCodecRoutes(app: FastifyInstance, deps: CodecRouteDeps): void {
  app.register(async (codec) => {
    codec.addHook('onRequest', async (request, reply) => {
      const origin = request.headers.origin;
      if (origin && deps.allowedOrigins.includes(origin)) {
        void reply
          .header('access-control-allow-origin', origin)
          .header('access-control-allow-credentials', 'true')
          .header('access-control-allow-methods', 'POST, OPTIONS')
          .header('access-control-allow-headers', 'authorization, content-type, x-namespace')
          .header('vary', 'origin');
      }
    });
    codec.addHook('onRequest', async (request) => {
      const local = deps.localUi;
      if (!local || request.method === 'OPTIONS' || request.headers.authorization !== undefined) return;
      if (!local.origins.includes(request.headers.origin ?? '')) return;
      if (local.actor.roles.some((role) => deps.roles.includes(role))) request.actor = local.actor;
    });
    // Requests this hook let in on the identity provider's token, for the log's `via`.
    const byIdp = new WeakSet<FastifyRequest>();
    codec.addHook('onRequest', async (request, reply) => {
      const idp = deps.idpTokens;
      const token = bearerJwt(request.headers.authorization);
      // Firebreak's own tokens keep their path (requireBearer), whatever they look like.
      if (!idp || !token || request.method === 'OPTIONS' || request.actor || deps.tokens.authorize(request.headers.authorization).ok) return;
      const verdict = await idp.verify(token);
      if (!verdict.ok) {
        if (verdict.status === 401) void reply.header('www-authenticate', 'Bearer error="invalid_token"');
        if (verdict.status === 503) void reply.header('retry-after', '5');
        return reply.code(verdict.status).send({ error: verdict.code, message: verdict.message });
      }
      if (!verdict.actor.roles.some((role) => deps.roles.includes(role))) return reply.code(403).send({ error: 'auth.role_required', message: 'this endpoint needs one of the configured roles' });
      request.actor = verdict.actor;
      byIdp.add(request);
    });
    requireBearer(codec, deps.tokens, deps.roles);

    const preflight = async (request: FastifyRequest, reply: FastifyReply) => {
      const allowed = deps.allowedOrigins.includes(request.headers.origin ?? '');
      return reply.code(allowed ? 204 : 403).send();
    };
    const handle = (direction: 'encode' | 'decode') => async (request: FastifyRequest, reply: FastifyReply) => {
      const body = WirePayloads.safeParse(request.body ?? {});
      if (!body.success) return reply.code(400).send({ error: 'request.invalid', issues: body.error.issues.map((i) => ({ path: i.path, message: i.message })) });
      try {
        const payloads = fromWire(body.data);
        const result = direction === 'decode' ? await deps.codec.decode(payloads) : await deps.codec.encode(payloads);
        // Who saw what, never the payloads themselves: the person, how they came, the namespace and how many.
        const via = byIdp.has(request) ? 'idp-token' : request.scopes ? 'token' : 'local-ui';
        deps.log.info({ personId: request.actor!.id, via, origin: request.headers.origin, namespace: request.headers['x-namespace'], direction, payloads: payloads.length }, 'codec used');
        return toWire(result);
      } catch {
        return reply.code(422).send({ error: 'codec.failed', message: 'payloads could not be processed' });
      }
    };
    for (const direction of ['encode', 'decode'] as const) {
      codec.options(`/codec/${direction}`, preflight);
      codec.post(`/codec/${direction}`, handle(direction));
    }
  });
}
