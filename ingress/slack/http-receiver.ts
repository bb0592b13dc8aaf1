import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../shared/logger';
import { slackPayloadProblem } from './payload-shape';
import { isOurWorkspace, verifySlackSignature } from './request-verification';

export interface HttpReceiverOptions {
  signingSecret: () => string;
  teamId: string;
  appId: string;
  log: Logger;
  now?: () => number;
}

/** Slack stops waiting at 3 s; answering a little before lets the user see our reply instead of Slack's error. */
const ACK_DEADLINE_MS = 2_800;

function parseBody(request: FastifyRequest): Record<string, unknown> | undefined {
  const raw = (request.rawBody ?? Buffer.alloc(0)).toString('utf8');
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  try {
    if (type === 'application/json') return JSON.parse(raw) as Record<string, unknown>;
    const form = Object.fromEntries(new URLSearchParams(raw));
    // Interactions arrive as a form with one `payload` field holding JSON; slash commands as plain form fields.
    return typeof form.payload === 'string' ? (JSON.parse(form.payload) as Record<string, unknown>) : form;
  } catch {
    return undefined;
  }
}

/**
 * Bolt's receiver for HTTP mode, mounted on Firebreak's own fastify server: verifies the signature over the raw
 * bytes, refuses other workspaces and apps, and answers Slack as soon as the listener acks (processing continues).
 */
export class FastifySlackReceiver implements Receiver {
  private app?: App;

  constructor(private readonly options: HttpReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** Mounts `POST /slack/events` (slash commands and interactivity share it). */
  mount(server: FastifyInstance): void {
    server.post('/slack/events', (request, reply) => this.handle(request, reply));
  }

  private async handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { signingSecret, teamId, appId, log } = this.options;
    const now = Math.floor((this.options.now ?? Date.now)() / 1000);
    const header = (name: string) => request.headers[name] as string | undefined;
    const check = verifySlackSignature(signingSecret(), { timestamp: header('x-slack-request-timestamp'), signature: header('x-slack-signature') }, request.rawBody ?? Buffer.alloc(0), now);
    if (!check.ok) {
      log.warn({ code: check.code }, 'slack request refused');
      return reply.code(401).send({ error: check.code });
    }
    const body = parseBody(request);
    if (!body) return reply.code(400).send({ error: 'request.invalid' });
    const problem = slackPayloadProblem(body);
    if (problem) return reply.code(400).send({ error: 'slack.payload_invalid', message: problem });
    if (body.ssl_check) return reply.code(200).send();
    if (!isOurWorkspace(body, { teamId, appId })) {
      log.warn({ code: 'slack.foreign_workspace' }, 'slack request refused');
      return reply.code(403).send({ error: 'slack.foreign_workspace' });
    }
    return this.dispatch(body, request, reply);
  }

  private async dispatch(body: Record<string, unknown>, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    let acked: (response: unknown) => void = () => {};
    const ackedWith = new Promise<{ response: unknown }>((resolve) => {
      acked = (response) => resolve({ response });
    });
    const event: ReceiverEvent = {
      body,
      retryNum: Number(request.headers['x-slack-retry-num']) || undefined,
      retryReason: request.headers['x-slack-retry-reason'] as string | undefined,
      ack: async (response?: unknown) => acked(response),
    };
    const processing = this.app!.processEvent(event).then(
      (): { done: true; error?: unknown } => ({ done: true }),
      (error: unknown) => ({ done: true as const, error }),
    );
    const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), ACK_DEADLINE_MS).unref());
    const first = await Promise.race([ackedWith, processing, timer]);
    if (first === 'late' || 'done' in first) {
      const error = first !== 'late' ? first.error : undefined;
      if (error) this.options.log.error({ err: error }, 'slack listener failed before ack');
      return reply.code(error ? 500 : 404).send({ error: error ? 'internal' : 'slack.unhandled' });
    }
    const response = first.response;
    if (response === undefined || response === '') return reply.code(200).send();
    return typeof response === 'string' ? reply.code(200).type('text/plain').send(response) : reply.code(200).send(response);
  }
}
