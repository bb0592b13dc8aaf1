import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  messageId: string;
  subject: string;
  text: string;
  attachments: { filename?: string; contentType: string; content: Buffer }[];
}

/**
 * A real SMTP server on loopback that parses and keeps every message it accepts, and answers 550 for the addresses in
 * `refuse`. Started again on the same port, it comes back where senders expect it.
 */
export class SmtpInbox {
  received: ReceivedMail[] = [];
  refuse = new Set<string>();
  private server?: SMTPServer;
  port = 0;
  /** While set, each message's final answer waits for it: senders then have messages in flight (a worker to kill). */
  hold?: () => Promise<void>;
  private closedSessions = new Set<string>();

  async start(port = this.port): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onClose: (session) => {
        this.closedSessions.add(session.id);
      },
      onRcptTo: (address, _session, callback) => {
        if (this.refuse.has(address.address)) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
        callback();
      },
      onData: (stream, session, callback) => {
        void simpleParser(stream).then(async (mail) => {
          // A held message whose sender went away before the 250 is not accepted, as on a real server.
          if (this.hold) await this.hold();
          if (this.closedSessions.has(session.id)) return callback(new Error('connection closed'));
          this.received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            messageId: mail.messageId ?? '',
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  private transports: { close(): void }[] = [];

  /** A pooled transport to this inbox, closed by `stop` (the server waits for open connections before it closes). */
  transport() {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: this.port, secure: false, ignoreTLS: true, connectionTimeout: 2000, pool: true });
    this.transports.push(transport);
    return transport;
  }

  async stop(): Promise<void> {
    for (const transport of this.transports.splice(0)) transport.close();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
