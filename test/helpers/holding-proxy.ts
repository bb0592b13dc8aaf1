import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A reverse proxy that, while armed, keeps matching requests waiting before it forwards them: an upstream that has
 * accepted a call and not answered yet (a slow vendor, an upload in progress), so a test can kill the worker in the
 * middle of it. A held request whose caller went away meanwhile (its worker was killed) is dropped, never forwarded.
 * Without `target` it is the server itself and answers 200 `{}`.
 */
export class HoldingProxy {
  /** Matching requests as they arrived, held or not. */
  readonly arrivals: { at: number; method: string; url: string }[] = [];
  held = 0;
  private armed = false;
  private waiting: (() => void)[] = [];
  private readonly server: Server;

  private constructor(
    private readonly target: string | undefined,
    private readonly matches: (request: IncomingMessage, body: Buffer) => boolean,
  ) {
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  static async start(matches: (request: IncomingMessage, body: Buffer) => boolean, target?: string): Promise<HoldingProxy> {
    const proxy = new HoldingProxy(target, matches);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  arm(): void {
    this.armed = true;
  }

  /** Lets every held request go (to the target, unless its caller is gone) and stops holding new ones. */
  release(): void {
    this.armed = false;
    for (const go of this.waiting.splice(0)) go();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (this.matches(request, body)) {
      this.arrivals.push({ at: Date.now(), method: request.method ?? '', url: request.url ?? '' });
      if (this.armed) {
        this.held += 1;
        await new Promise<void>((resolve) => this.waiting.push(resolve));
        this.held -= 1;
        if (response.destroyed || request.socket.destroyed) return;
      }
    }
    if (!this.target) return void response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(name))) as Record<string, string>;
    try {
      const upstream = await fetch(new URL(request.url ?? '/', this.target), { method: request.method, headers, body: ['GET', 'HEAD'].includes(request.method ?? '') ? undefined : body });
      const out = Buffer.from(await upstream.arrayBuffer());
      const back = Object.fromEntries([...upstream.headers].filter(([name]) => !['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(name)));
      response.writeHead(upstream.status, back).end(out);
    } catch {
      response.destroy();
    }
  }

  stop(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
