import net from 'node:net';

/** A loopback TCP proxy to Temporal that can add latency to every chunk, or go down (drop and refuse connections). */
export class TcpProxy {
  delayMs = 0;
  private readonly sockets = new Set<net.Socket>();
  private server?: net.Server;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(port = 0): Promise<string> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      const pipe = (from: net.Socket, to: net.Socket) =>
        from.on('data', (chunk) => (this.delayMs > 0 ? setTimeout(() => to.write(chunk), this.delayMs) : to.write(chunk)));
      pipe(client, upstream);
      pipe(upstream, client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  get port(): number {
    return (this.server!.address() as net.AddressInfo).port;
  }

  async down(): Promise<number> {
    const port = this.port;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    return port;
  }
}
