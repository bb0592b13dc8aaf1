import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../../shared/logger';
import { requireBearer } from './bearer-auth';
import type { TokenDirectory } from './token-directory';

export interface CodecRouteDeps {
  codec: PayloadCodec;
  tokens: TokenDirectory;
  /** Roles allowed to see decrypted payloads (config `codecRoles`). */
  roles: readonly string[];
  /** Browser origins allowed by CORS: the Temporal UI on loopback only. */
  allowedOrigins: readonly string[];
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
 * CORS admits only the loopback UI: any other web page the operator has open cannot read the answer.
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
        deps.log.info({ personId: request.actor!.id, direction, payloads: payloads.length }, 'codec used');
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
