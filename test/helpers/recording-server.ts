import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  at: number;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Answer this much later, to fix the order in which concurrent calls complete. */
  delayMs?: number;
}

/** Decides the answer to a call; default 200 `{ ok: true }`. */
export type Responder = (call: RecordedCall, calls: readonly RecordedCall[]) => Reply | undefined;

/**
 * A loopback HTTP server standing in for an identity provider, firewall or EDR console: it records every call
 * (headers included, so tests can see idempotency keys and secret headers arrive) and answers as told.
 */
export class RecordingServer {
  readonly calls: RecordedCall[] = [];
  respond: Responder = () => undefined;
  private readonly server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const call: RecordedCall = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: text ? (JSON.parse(text) as unknown) : undefined, at: Date.now() };
      this.calls.push(call);
      const reply = this.respond(call, this.calls) ?? { status: 200, body: { ok: true } };
      setTimeout(() => {
        response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        response.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      }, reply.delayMs ?? 0);
    });
  });

  static async start(): Promise<RecordingServer> {
    const recording = new RecordingServer();
    await new Promise<void>((resolve) => recording.server.listen(0, '127.0.0.1', resolve));
    return recording;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  callsTo(pathPrefix: string): RecordedCall[] {
    return this.calls.filter((call) => call.path.startsWith(pathPrefix));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
