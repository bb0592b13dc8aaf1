import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { slackSignature } from '../../ingress/slack/request-verification';
import { FakeSocketMode } from './fake-socket';
import { slackRefusal } from './slack-limits';

/*
 * A local stand-in for the Slack Web API speaking its HTTP contract: form-encoded POSTs to /api/<method> with a
 * bearer token, answers `{ ok, ... }` with HTTP 200, 429 + Retry-After when rate limited. It records every call and
 * keeps just enough state (channels, messages, pins, user groups, opened views, response_url posts) for tests to
 * look at what a user would see.
 */

export interface FakeCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  status: number;
}

export interface FakeMessage {
  ts: string;
  channel: string;
  text: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  thread_ts?: string;
  edits: number;
}

/** A scripted misbehaviour for the next call to a method. `applyThenDrop` does the work, then cuts the connection. */
export type Fault = { status: 429; retryAfter: number } | { status: 500 } | { drop: true } | { applyThenDrop: true } | { error: string };

const JSON_FIELDS = new Set(['blocks', 'metadata', 'attachments', 'view']);

/** The bot scopes our app manifest asks for: the fake grants exactly these, so a missing scope fails a test as in Slack. */
export function manifestBotScopes(): Set<string> {
  const manifest = parseYaml(readFileSync(path.join(__dirname, '..', '..', 'slack', 'manifest.yaml'), 'utf8')) as { oauth_config: { scopes: { bot: string[] } } };
  return new Set(manifest.oauth_config.scopes.bot);
}

export interface FakeChannel {
  id: string;
  name: string;
  members: Set<string>;
  isPrivate?: boolean;
}

export class FakeSlack {
  readonly calls: FakeCall[] = [];
  /** Calls refused because real Slack would refuse them (Block Kit, modal and channel-name limits). */
  readonly refusals: { method: string; error: string; detail: string }[] = [];
  readonly channels = new Map<string, FakeChannel>();
  /** Granted bot scopes; each method checks the one Slack's method reference names for it (public vs private channel). */
  readonly scopes = manifestBotScopes();
  readonly messages: FakeMessage[] = [];
  readonly pins: { channel: string; ts: string }[] = [];
  readonly ephemerals: { channel: string; user: string; text: string }[] = [];
  readonly responses: { id: string; body: Record<string, unknown> }[] = [];
  readonly usergroups = new Map<string, string[]>();
  readonly views: Record<string, unknown>[] = [];
  /** Added to every answer, to model a slow Slack. */
  latencyMs = 0;
  private readonly faults = new Map<string, Fault[]>();
  private readonly targetedFaults: { method: string; match: (args: Record<string, unknown>) => boolean; fault: Fault }[] = [];
  private clock = 1_700_000_000;
  /** Socket Mode: `apps.connections.open` (with the app token) hands out a URL served here. */
  readonly socket = new FakeSocketMode();
  private readonly server = createServer((request, response) => void this.handle(request, response));

  constructor(
    readonly botToken: string,
    readonly appToken = 'xapp-fake-token',
  ) {
    this.server.on('upgrade', (request, socket) => {
      if (!this.socket.upgrade(request, socket)) socket.destroy();
    });
  }

  static async start(botToken = 'xoxb-fake-token'): Promise<FakeSlack> {
    const fake = new FakeSlack(botToken);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What `slackApiUrl` should be. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** A response_url Slack would put in a slash command. */
  responseUrl(): string {
    return `${this.url}/response/${randomUUID()}`;
  }

  fail(method: string, ...faults: Fault[]): void {
    this.faults.set(method, [...(this.faults.get(method) ?? []), ...faults]);
  }

  /** Like `fail`, for the next call to `method` whose arguments `match` (one message among concurrent posts). */
  failWhen(method: string, match: (args: Record<string, unknown>) => boolean, fault: Fault): void {
    this.targetedFaults.push({ method, match, fault });
  }

  callsTo(method: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Top-level messages (not thread replies) in a channel whose metadata key matches. */
  messagesWithKey(key: string): FakeMessage[] {
    return this.messages.filter((m) => m.metadata?.event_payload.key === key);
  }

  channelNamed(prefix: string): FakeChannel | undefined {
    return [...this.channels.values()].find((c) => c.name.startsWith(prefix));
  }

  async stop(): Promise<void> {
    this.socket.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private nextTs(): string {
    this.clock += 1;
    return `${this.clock}.${String(this.messages.length).padStart(6, '0')}`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const url = request.url ?? '';
    if (url.startsWith('/response/')) {
      this.responses.push({ id: url.slice('/response/'.length), body: JSON.parse(raw) as Record<string, unknown> });
      return this.send(response, 200, { ok: true });
    }
    const method = url.replace(/^\/api\//, '').split('?')[0]!;
    const args = parseArgs(raw, request.headers['content-type']);
    const targeted = this.targetedFaults.findIndex((t) => t.method === method && t.match(args));
    const fault = targeted >= 0 ? this.targetedFaults.splice(targeted, 1)[0]!.fault : this.faults.get(method)?.shift();
    const call: FakeCall = { method, args, at: Date.now(), status: 200 };
    this.calls.push(call);
    const token = method === 'apps.connections.open' ? this.appToken : this.botToken;
    if (request.headers.authorization !== `Bearer ${token}`) return this.send(response, 200, { ok: false, error: 'invalid_auth' });
    if (fault && 'drop' in fault) return void request.socket.destroy();
    if (fault && 'status' in fault) {
      call.status = fault.status;
      if (fault.status === 429) return this.send(response, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter) });
      return this.send(response, 500, { ok: false, error: 'internal_error' });
    }
    if (fault && 'error' in fault) return this.send(response, 200, { ok: false, error: fault.error });
    const needed = this.scopeNeeded(method, args);
    if (needed && method !== 'apps.connections.open' && !this.scopes.has(needed)) return this.send(response, 200, { ok: false, error: 'missing_scope', needed, provided: [...this.scopes].join(',') });
    const refusal = slackRefusal(method, args);
    if (refusal) {
      this.refusals.push({ method, ...refusal });
      return this.send(response, 200, { ok: false, error: refusal.error, response_metadata: { messages: [refusal.detail] } });
    }
    const answer = this.apply(method, args);
    if (fault && 'applyThenDrop' in fault) return void request.socket.destroy();
    this.send(response, 200, answer);
  }

  private send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    response.end(JSON.stringify(body));
  }

  /** The scope a bot token needs for this call, from each method's reference page on api.slack.com. */
  private scopeNeeded(method: string, a: Record<string, unknown>): string | undefined {
    const channel = this.channels.get(String(a.channel ?? ''));
    const kind = String(a.channel ?? '').startsWith('D') ? 'im' : channel?.isPrivate ? 'groups' : 'channels';
    switch (method) {
      case 'conversations.create':
        return String(a.is_private) === 'true' ? 'groups:write' : 'channels:manage';
      case 'conversations.invite':
        return kind === 'groups' ? 'groups:write' : 'channels:manage';
      case 'conversations.list':
        return String(a.types ?? 'public_channel').includes('private_channel') ? 'groups:read' : 'channels:read';
      case 'conversations.history':
      case 'conversations.replies':
        return `${kind}:history`;
      case 'conversations.open':
        return 'im:write';
      case 'chat.postMessage':
      case 'chat.update':
      case 'chat.postEphemeral':
        return 'chat:write';
      case 'pins.add':
        return 'pins:write';
      case 'usergroups.users.list':
        return 'usergroups:read';
      default:
        return undefined;
    }
  }

  private apply(method: string, a: Record<string, unknown>): Record<string, unknown> {
    const str = (name: string) => String(a[name] ?? '');
    switch (method) {
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/socket/${randomUUID()}` };
      case 'auth.test':
        return { ok: true, user_id: 'UBOT', team_id: 'T0FAKE', bot_id: 'BFAKE' };
      case 'conversations.create': {
        if ([...this.channels.values()].some((c) => c.name === str('name'))) return { ok: false, error: 'name_taken' };
        const id = `C${String(this.channels.size + 1).padStart(8, '0')}`;
        const isPrivate = str('is_private') === 'true';
        this.channels.set(id, { id, name: str('name'), members: new Set(['UBOT']), isPrivate });
        return { ok: true, channel: { id, name: str('name'), is_private: isPrivate } };
      }
      case 'conversations.list': {
        const types = (str('types') || 'public_channel').split(',');
        // A private channel is listed only to its members (the bot, here, which created it).
        const listed = [...this.channels.values()].filter((c) => types.includes(c.isPrivate ? 'private_channel' : 'public_channel') && (!c.isPrivate || c.members.has('UBOT')));
        return { ok: true, channels: listed.map((c) => ({ id: c.id, name: c.name, is_private: c.isPrivate })), response_metadata: { next_cursor: '' } };
      }
      case 'conversations.invite': {
        const channel = this.channels.get(str('channel'));
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const users = str('users').split(',').filter(Boolean);
        if (users.every((u) => channel.members.has(u))) return { ok: false, error: 'already_in_channel' };
        for (const u of users) channel.members.add(u);
        return { ok: true, channel: { id: channel.id } };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: `D${str('users')}` } };
      case 'conversations.history':
        return { ok: true, messages: this.messages.filter((m) => m.channel === str('channel') && !m.thread_ts).reverse().slice(0, Number(a.limit ?? 100)) };
      case 'conversations.replies':
        return { ok: true, messages: this.messages.filter((m) => m.channel === str('channel') && (m.ts === str('ts') || m.thread_ts === str('ts'))) };
      case 'chat.postMessage': {
        const channel = str('channel');
        if (!channel.startsWith('D') && !this.channels.has(channel)) return { ok: false, error: 'channel_not_found' };
        const message: FakeMessage = { ts: this.nextTs(), channel, text: str('text'), blocks: a.blocks as unknown[] | undefined, metadata: a.metadata as FakeMessage['metadata'], thread_ts: a.thread_ts as string | undefined, edits: 0 };
        this.messages.push(message);
        return { ok: true, channel, ts: message.ts, message };
      }
      case 'chat.update': {
        const message = this.messages.find((m) => m.channel === str('channel') && m.ts === str('ts'));
        if (!message) return { ok: false, error: 'message_not_found' };
        Object.assign(message, { text: str('text'), blocks: a.blocks ?? message.blocks, edits: message.edits + 1 });
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'chat.postEphemeral':
        this.ephemerals.push({ channel: str('channel'), user: str('user'), text: str('text') });
        return { ok: true, message_ts: this.nextTs() };
      case 'pins.add':
        if (this.pins.some((p) => p.channel === str('channel') && p.ts === str('timestamp'))) return { ok: false, error: 'already_pinned' };
        this.pins.push({ channel: str('channel'), ts: str('timestamp') });
        return { ok: true };
      case 'usergroups.users.list': {
        const users = this.usergroups.get(str('usergroup'));
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      case 'views.open': {
        // Each opened view has its own id, as in Slack; a submission carries the id of the view it submits.
        const view = { ...(a.view as Record<string, unknown>), id: `V${this.views.length + 1}` };
        this.views.push(view);
        return { ok: true, view };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if ((contentType ?? '').includes('application/json')) return JSON.parse(raw || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) args[key] = JSON_FIELDS.has(key) ? JSON.parse(value) : value;
  return args;
}

/** Sends what Slack sends: signed form posts to the app's request URL (slash commands and interactions). */
export class SlackSender {
  constructor(
    readonly requestUrl: string,
    readonly signingSecret: string,
    readonly team = { id: 'T0FIRE', appId: 'A0FIRE' },
  ) {}

  async post(form: Record<string, string>, opts: { timestamp?: number; secret?: string; tamper?: (raw: string) => string } = {}): Promise<{ status: number; body: string; ms: number }> {
    const raw = new URLSearchParams(form).toString();
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const signature = slackSignature(opts.secret ?? this.signingSecret, timestamp, raw);
    const started = performance.now();
    const response = await fetch(this.requestUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
      body: opts.tamper ? opts.tamper(raw) : raw,
    });
    const body = await response.text();
    return { status: response.status, body, ms: performance.now() - started };
  }

  command(user: string, text: string, extra: Record<string, string> = {}): Promise<{ status: number; body: string; ms: number }> {
    return this.post({ command: '/incident', text, user_id: user, team_id: this.team.id, api_app_id: this.team.appId, channel_id: 'CCMD', trigger_id: `trig-${randomUUID()}`, response_url: '', ...extra });
  }

  interaction(payload: Record<string, unknown>, opts?: Parameters<SlackSender['post']>[1]): Promise<{ status: number; body: string; ms: number }> {
    return this.post({ payload: JSON.stringify({ team: { id: this.team.id }, api_app_id: this.team.appId, ...payload }) }, opts);
  }

  /** A click on a message button. */
  click(user: string, actionId: string, value: string, channel: string): Promise<{ status: number; body: string; ms: number }> {
    return this.interaction({ type: 'block_actions', user: { id: user, team_id: this.team.id }, trigger_id: `trig-${randomUUID()}`, channel: { id: channel }, actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1' }] });
  }

  /** Submission of a modal Firebreak opened (its callback id and private metadata), with field values. */
  submit(user: string, view: { id?: string; callback_id: string; private_metadata?: string }, values: Record<string, Record<string, unknown>>): Promise<{ status: number; body: string; ms: number }> {
    return this.interaction({
      type: 'view_submission',
      user: { id: user, team_id: this.team.id },
      view: { id: view.id ?? 'V1', type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata ?? '', state: { values }, hash: 'h' },
    });
  }
}

/**
 * Sends the same slash commands and interactions over Socket Mode: a form becomes a `slash_commands` envelope, an
 * interaction a `interactive` one, pushed down the fake's WebSocket. Resolves once the app acks the envelope
 * (status 200, body = the ack's payload) or after `ackTimeoutMs` without one (status 0).
 */
export class SocketSender extends SlackSender {
  constructor(
    readonly fake: FakeSlack,
    team = { id: 'T0FIRE', appId: 'A0FIRE' },
    readonly ackTimeoutMs = 10_000,
  ) {
    super('', '', team);
  }

  override async post(form: Record<string, string>): Promise<{ status: number; body: string; ms: number }> {
    const started = Date.now();
    const id = form.payload !== undefined ? this.fake.socket.envelope('interactive', JSON.parse(form.payload)) : this.fake.socket.envelope('slash_commands', form);
    while (Date.now() - started < this.ackTimeoutMs) {
      const ack = this.fake.socket.ackFor(id);
      if (ack) return { status: 200, body: JSON.stringify(ack.payload ?? {}), ms: ack.at - started };
      await new Promise((r) => setTimeout(r, 10));
    }
    return { status: 0, body: '', ms: Date.now() - started };
  }
}
