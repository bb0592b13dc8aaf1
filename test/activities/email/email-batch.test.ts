import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { type BatchProgress, type EmailBatchResult, createSendEmailBatch } from '../../../activities/email/send-email-batch';
import { parseRecipients } from '../../../activities/email/recipients';
import { tempDir } from '../../helpers/temporal';

interface Received {
  to: string;
  messageId: string;
  subject: string;
  text: string;
}

/** A real SMTP server on loopback that records what it accepts; `refuse` answers 550 for an address, `dropAfter` goes down. */
class Inbox {
  received: Received[] = [];
  refuse = new Set<string>();
  dropAfter?: number;
  private server?: SMTPServer;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.refuse.has(address.address)) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
        callback();
      },
      onData: (stream, session, callback) => {
        void simpleParser(stream).then((mail) => {
          this.received.push({ to: session.envelope.rcptTo[0]!.address, messageId: mail.messageId ?? '', subject: mail.subject ?? '', text: mail.text ?? '' });
          callback();
          if (this.dropAfter !== undefined && this.received.length >= this.dropAfter) void this.stop();
        });
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function setup(inbox: Inbox, csv: string) {
  const dataDir = tempDir('batch');
  mkdirSync(path.join(dataDir, 'recipients'), { recursive: true });
  writeFileSync(path.join(dataDir, 'recipients', 'affected.csv'), csv);
  // One connection per message and no pooling: a restarted server is reached by the next message.
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: inbox.port, secure: false, ignoreTLS: true, connectionTimeout: 2000 });
  const send = createSendEmailBatch({ from: 'privacy@example.org', dataDir, smtp, evidenceDir: path.join(dataDir, 'evidence') });
  const request = {
    key: 'incident/test/abc/customer-notice',
    incidentId: 'incident/test/abc',
    stepId: 'customer-notice',
    input: { recipients: 'file:affected.csv', subject: 'About your account, [[name]]', body: 'Dear [[name]], your [[plan]] account was affected.', perMinute: 6000, batchSize: 2 },
  };
  return { send, request };
}

const people = (n: number) => ['email,name,plan', ...Array.from({ length: n }, (_, i) => `person${i}@example.org,Person ${i},pro`)].join('\n');

describe('notify.email-batch against a real SMTP server', function () {
  this.timeout(30_000);
  let inbox: Inbox;
  beforeEach(async () => {
    inbox = new Inbox();
    await inbox.start();
  });
  afterEach(async () => inbox.stop());

  it('sends one personalised notice per recipient, each with its own Message-ID, and reports progress by heartbeat', async () => {
    const { send, request } = setup(inbox, people(5));
    const env = new MockActivityEnvironment();
    const beats: BatchProgress[] = [];
    env.on('heartbeat', (details: BatchProgress) => beats.push(details));
    const result = (await env.run(send, request)) as EmailBatchResult;
    assert.deepEqual({ total: result.total, sent: result.sent, alreadySent: result.alreadySent }, { total: 5, sent: 5, alreadySent: 0 });
    assert.deepEqual(inbox.received.map((m) => m.to).sort(), Array.from({ length: 5 }, (_, i) => `person${i}@example.org`).sort());
    assert.equal(new Set(inbox.received.map((m) => m.messageId)).size, 5);
    assert.equal(inbox.received.find((m) => m.to === 'person3@example.org')!.subject, 'About your account, Person 3');
    assert.deepEqual(beats.map((b) => b.position), [1, 2, 3, 4, 5]);
  });

  it('survives an SMTP outage: the retry resumes from the heartbeat and nobody receives a second copy', async () => {
    const { send, request } = setup(inbox, people(6));
    inbox.dropAfter = 3;
    const first = new MockActivityEnvironment();
    let last: BatchProgress | undefined;
    first.on('heartbeat', (details: BatchProgress) => (last = details));
    await assert.rejects(first.run(send, request), (error: unknown) => !(error instanceof ApplicationFailure && error.nonRetryable));
    assert.equal(inbox.received.length, 3);

    // However long the outage lasts, what follows is the same: Temporal retries with backoff (capped at the step's
    // maximumInterval) until the server is back, and the retry carries the last heartbeat.
    const port = inbox.port;
    const before = inbox.received;
    inbox = new Inbox();
    await inbox.start(port);
    const second = new MockActivityEnvironment({ heartbeatDetails: last, attempt: 2 });
    const result = (await second.run(send, request)) as EmailBatchResult;
    const all = [...before, ...inbox.received].map((m) => m.to);
    assert.equal(all.length, 6);
    assert.equal(new Set(all).size, 6, 'nobody notified twice');
    assert.equal(result.sent, 6);

    // A third run (say, the worker crashed before reporting completion) sends nothing.
    const replay = (await new MockActivityEnvironment().run(send, request)) as EmailBatchResult;
    assert.equal(replay.alreadySent, 6);
    assert.equal(inbox.received.length, 3);
  });

  it('fails loudly with email.rejected naming the refused row after sending to everyone else (550), and never retries it silently', async () => {
    const { send, request } = setup(inbox, people(4));
    inbox.refuse.add('person2@example.org');
    await assert.rejects(new MockActivityEnvironment().run(send, request), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'email.rejected');
      assert.equal(error.nonRetryable, true);
      assert.deepEqual(error.details, [[{ row: 3, email: 'person2@example.org' }]].flat());
      return true;
    });
    assert.deepEqual(inbox.received.map((m) => m.to).sort(), ['person0@example.org', 'person1@example.org', 'person3@example.org']);
  });

  it('refuses a list with bad rows, naming every row and field, before sending anything', async () => {
    const { send, request } = setup(inbox, 'email,name\nok@example.org,A\nnot-an-address,B\n,C\nOK@example.org,D');
    await assert.rejects(new MockActivityEnvironment().run(send, request), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'recipients.invalid');
      assert.deepEqual(error.details, [
        { row: 3, field: 'email', code: 'recipient.invalid_email' },
        { row: 4, field: 'email', code: 'recipient.missing_email' },
        { row: 5, field: 'email', code: 'recipient.duplicate' },
      ]);
      return true;
    });
    assert.equal(inbox.received.length, 0);
  });

  it('reads JSON lists too, numbering rows from 1', () => {
    const parsed = parseRecipients(JSON.stringify([{ email: 'a@example.org', name: 'A' }, 'b@example.org']));
    assert.equal(parsed.ok, false);
    assert.deepEqual(!parsed.ok && parsed.issues, [{ row: 2, field: '', code: 'recipient.not_an_object' }]);
  });
});
