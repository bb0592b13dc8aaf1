import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/*
 * The server side of Slack's Socket Mode, just enough for @slack/socket-mode (which dials with undici's WebSocket):
 * an RFC 6455 handshake on an HTTP upgrade, unfragmented text frames both ways, pings answered with pongs, close
 * answered with close. Written by hand because no WebSocket server package is installed (`ws` is not a dependency
 * of @slack/socket-mode 3, which uses undici). On connect the server says `hello`, as Slack does; envelopes are then
 * pushed with `send`, and every `{ envelope_id, payload? }` the client sends back is kept as an ack.
 */

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
  at: number;
}

export class FakeSocketMode {
  readonly sockets = new Set<Duplex>();
  /** Every text message a client sent, parsed when it was JSON. */
  readonly received: unknown[] = [];
  readonly acks: SocketAck[] = [];
  /** How many WebSocket connections were accepted (a reconnect counts again). */
  connections = 0;

  /** Handles an HTTP upgrade to `/socket/...`; answers false for any other path. */
  upgrade(request: IncomingMessage, socket: Duplex): boolean {
    if (!(request.url ?? '').startsWith('/socket/')) return false;
    const key = request.headers['sec-websocket-key'];
    if (typeof key !== 'string') {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return true;
    }
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, '', ''].join('\r\n'));
    this.connections += 1;
    this.sockets.add(socket);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const frame = readFrame(buffered);
        if (!frame) break;
        buffered = buffered.subarray(frame.length);
        this.onFrame(socket, frame.opcode, frame.payload);
      }
    });
    const forget = () => this.sockets.delete(socket);
    socket.on('close', forget);
    socket.on('error', forget);
    this.sendTo(socket, JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake-slack', approximate_connection_time: 3600 }}));
    return true;
  }

  /** Pushes a raw text message (an envelope, or anything malformed) to every connected client. */
  sendRaw(text: string): void {
    for (const socket of this.sockets) this.sendTo(socket, text);
  }

  /** Pushes an envelope as Slack does; resolves its id. */
  envelope(type: string, payload: unknown, extra: Record<string, unknown> = {}): string {
    const envelope_id = randomUUID();
    this.sendRaw(JSON.stringify({ envelope_id, type, payload, accepts_response_payload: type !== 'events_api', ...extra }));
    return envelope_id;
  }

  ackFor(envelopeId: string): SocketAck | undefined {
    return this.acks.find((a) => a.envelope_id === envelopeId);
  }

  /** Asks the client to reconnect (Slack's `disconnect` message). */
  disconnectClients(reason = 'warning'): void {
    this.sendRaw(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack' } }));
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  private onFrame(socket: Duplex, opcode: number, payload: Buffer): void {
    if (opcode === 0x8) {
      // Close: echo the status code back, then hang up.
      socket.end(frame(0x8, payload.subarray(0, 2)));
      this.sockets.delete(socket);
      return;
    }
    if (opcode === 0x9) return void socket.write(frame(0xa, payload));
    if (opcode !== 0x1) return;
    const text = payload.toString('utf8');
    let message: unknown = text;
    try {
      message = JSON.parse(text);
    } catch {
      // kept as text
    }
    this.received.push(message);
    if (message && typeof message === 'object' && typeof (message as SocketAck).envelope_id === 'string') {
      this.acks.push({ ...(message as Omit<SocketAck, 'at'>), at: Date.now() });
    }
  }

  private sendTo(socket: Duplex, text: string): void {
    if (!socket.destroyed) socket.write(frame(0x1, Buffer.from(text, 'utf8')));
  }
}

/** One unmasked, final server frame. */
function frame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (n >= 126 && n < 0x10000) {
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(n, 2);
  } else if (n >= 0x10000) {
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([header, payload]);
}

/** Parses one (masked) client frame from the front of `buf`, or undefined until all of it has arrived. */
function readFrame(buf: Buffer): { opcode: number; payload: Buffer; length: number } | undefined {
  if (buf.length < 2) return undefined;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let length = buf[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buf.length < 4) return undefined;
    length = buf.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buf.length < 10) return undefined;
    length = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const maskAt = offset;
  if (masked) offset += 4;
  if (buf.length < offset + length) return undefined;
  const payload = Buffer.from(buf.subarray(offset, offset + length));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ buf[maskAt + (i % 4)]!;
  return { opcode, payload, length: offset + length };
}
