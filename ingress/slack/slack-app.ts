import { App, SocketModeReceiver } from '@slack/bolt';
import type { FastifyInstance } from 'fastify';
import { boltLogger } from './bolt-logger';
import { botAuthorization } from './bot-authorization';
import type { SlackListenerDeps } from './deps';
import { FastifySlackReceiver } from './http-receiver';
import { register } from './index';
import { isOurWorkspace } from './request-verification';

export interface SlackAppOptions {
  botToken: string;
  teamId: string;
  appId: string;
  /** HTTP mode: requests arrive on Firebreak's HTTP server, signed with this secret. */
  signingSecret?: () => string;
  /** Socket Mode (chosen when set): Firebreak dials out to Slack; no public URL, no signatures. */
  appToken?: string;
  apiUrl?: string;
}

export interface SlackIngress {
  mode: 'http' | 'socket';
  /** HTTP mode: adds `POST /slack/events`. Socket Mode: connects when the server is ready, disconnects when it closes. */
  mount(server: FastifyInstance): void;
}

/** The Bolt app with every Firebreak listener, in HTTP or Socket Mode. */
export function createSlackApp(options: SlackAppOptions, deps: SlackListenerDeps): SlackIngress {
  const expected = { teamId: options.teamId, appId: options.appId };
  // Listener calls (views.open, postEphemeral) sit inside Slack's 3 s trigger window: fail fast, never queue retries.
  const clientOptions = { ...(options.apiUrl && { slackApiUrl: options.apiUrl }), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 5_000 };
  const logger = boltLogger(deps.log);
  const authorize = botAuthorization(options.botToken, options.apiUrl, deps.log, logger);
  if (options.appToken) {
    // Our own receiver so listeners see the envelope (id and type), which Bolt otherwise drops: it picks listeners
    // from the payload alone, so an envelope without an id or of a type Firebreak does not serve would still act.
    const receiver = new SocketModeReceiver({
      appToken: options.appToken,
      logger,
      // Only the API URL: the fail-fast options above are for listener calls. `apps.connections.open` keeps
      // @slack/socket-mode's own retries, or one failed call while reconnecting would end the reconnect for good.
      installerOptions: { clientOptions: { ...(options.apiUrl && { slackApiUrl: options.apiUrl }) } },
      customPropertiesExtractor: (args: { envelope_id?: unknown; type?: unknown }) => ({ socketEnvelope: { id: args.envelope_id, type: args.type } }),
    });
    const app = new App({ authorize, receiver, logger, clientOptions });
    app.use(async ({ body, context, next }) => {
      const envelope = context.socketEnvelope as { id?: unknown; type?: unknown } | undefined;
      if (!isServedEnvelope(envelope, body)) {
        deps.log.warn({ code: 'slack.malformed_envelope', envelopeType: typeof envelope?.type === 'string' ? envelope.type : undefined }, 'slack envelope ignored');
        return;
      }
      if (isOurWorkspace(body as Record<string, unknown>, expected)) return next();
      deps.log.warn({ code: 'slack.foreign_workspace' }, 'slack request refused');
    });
    register(app, deps);
    return {
      mode: 'socket',
      mount: (server) => {
        server.addHook('onReady', async () => {
          await app.start();
        });
        server.addHook('onClose', async () => {
          await app.stop();
        });
      },
    };
  }
  if (!options.signingSecret) throw Object.assign(new Error('slack: HTTP mode needs a signing secret'), { code: 'config.invalid' });
  const receiver = new FastifySlackReceiver({ signingSecret: options.signingSecret, ...expected, log: deps.log });
  const app = new App({ authorize, receiver, logger, clientOptions });
  register(app, deps);
  return { mode: 'http', mount: (server) => receiver.mount(server) };
}

/** Socket Mode envelopes Firebreak acts on: with an id to ack, a slash command or an interaction, a JSON object payload. */
function isServedEnvelope(envelope: { id?: unknown; type?: unknown } | undefined, body: unknown): boolean {
  if (!envelope || typeof envelope.id !== 'string' || envelope.id === '') return false;
  if (envelope.type !== 'slash_commands' && envelope.type !== 'interactive') return false;
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}
