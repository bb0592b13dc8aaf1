import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { type BatchProgress, type EmailBatchResult, createSendEmailBatch } from '../../../activities/email/send-email-batch';
import { parseRecipients } from '../../../activities/email/recipients';
import { EvidenceStore, type EvidenceItem } from '../../../evidence';
import { S3BucketBackend } from '../../../evidence/s3-bucket';
import { S3_TEST_CREDENTIALS, type S3TestServer, startS3Server } from '../../helpers/s3-server';
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

const INCIDENT = 'incident/test/abc';

/** A batch over `csv`, kept in `<data>/recipients/` or, given an evidence store, captured as the incident's evidence. */
async function setup(inbox: Inbox, csv: string, evidence?: EvidenceStore) {
  const dataDir = tempDir('batch');
  let recipients = 'file:affected.csv';
  let item: EvidenceItem | undefined;
  if (evidence) {
    item = await evidence.put(Buffer.from(csv), {
      key: `${INCIDENT}/capture-affected`,
      incidentId: INCIDENT,
      mediaType: 'text/csv',
      name: 'affected.csv',
      source: 'crm://exports/affected',
      method: 'api-export crm/2.1',
      collectedBy: { kind: 'system', id: 'firebreak-worker' },
      stepId: 'capture-affected',
    });
    recipients = `evidence:${item.sha256}`;
  } else {
    mkdirSync(path.join(dataDir, 'recipients'), { recursive: true });
    writeFileSync(path.join(dataDir, 'recipients', 'affected.csv'), csv);
  }
  // One connection per message and no pooling: a restarted server is reached by the next message.
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: inbox.port, secure: false, ignoreTLS: true, connectionTimeout: 2000 });
  const send = createSendEmailBatch({ from: 'privacy@example.org', dataDir, smtp, evidence: evidence && (async () => evidence) });
  const request = {
    key: `${INCIDENT}/customer-notice`,
    incidentId: INCIDENT,
    stepId: 'customer-notice',
    input: { recipients, subject: 'About your account, [[name]]', body: 'Dear [[name]], your [[plan]] account was affected.', notice: 'gdpr-art34.data-subjects', perMinute: 6000, batchSize: 2 },
  };
  return { send, request, item };
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
    const { send, request } = await setup(inbox, people(5));
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
    const { send, request } = await setup(inbox, people(6));
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
    const { send, request } = await setup(inbox, people(4));
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
    const { send, request } = await setup(inbox, 'email,name\nok@example.org,A\nnot-an-address,B\n,C\nOK@example.org,D');
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

  describe('with the list captured as evidence', () => {
    let evidenceDir: string;
    let evidence: EvidenceStore;
    beforeEach(async () => {
      evidenceDir = tempDir('batch-evidence');
      evidence = await EvidenceStore.open(evidenceDir);
    });

    it('reads an evidence:<sha256> list through the store: verified, one viewed custody event per attempt naming the step, never an address', async () => {
      const { send, request, item } = await setup(inbox, people(3), evidence);
      const result = (await new MockActivityEnvironment().run(send, request)) as EmailBatchResult;
      assert.equal(result.sent, 3);
      assert.deepEqual(inbox.received.map((m) => m.to).sort(), ['person0@example.org', 'person1@example.org', 'person2@example.org']);
      // A retry after a crash reads the list again (its own custody event) and sends nobody a second copy.
      const replay = (await new MockActivityEnvironment({ attempt: 2 }).run(send, request)) as EmailBatchResult;
      assert.equal(replay.alreadySent, 3);
      assert.equal(inbox.received.length, 3);
      const trail = await evidence.custody(item!.evidenceId);
      assert.deepEqual(trail.map((e) => `${e.event}:${e.by.id}`), ['collected:firebreak-worker', 'viewed:firebreak-worker', 'viewed:firebreak-worker']);
      assert.match(trail[1]!.reason, /customer-notice/);
      assert.ok(trail.every((e) => !e.reason.includes('@')), 'the custody trail does not collect addresses');
    });

    it('refuses a list whose bytes changed on disk with evidence.tampered before sending anything', async () => {
      const { send, request, item } = await setup(inbox, people(3), evidence);
      const object = path.join(evidenceDir, 'objects', item!.sha256.slice(0, 2), item!.sha256);
      chmodSync(object, 0o644);
      writeFileSync(object, people(3).replace('person1@example.org', 'attacker@example.net'));
      await assert.rejects(new MockActivityEnvironment().run(send, request), (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.type, 'evidence.tampered');
        assert.equal(error.nonRetryable, true);
        return true;
      });
      assert.equal(inbox.received.length, 0);
      assert.deepEqual((await evidence.custody(item!.evidenceId)).map((e) => e.event), ['collected', 'tamper-detected']);
    });

    it('refuses an evidence reference that is not evidence of this incident as recipients.unreadable', async () => {
      const { send, request } = await setup(inbox, people(2), evidence);
      const other = { ...request, input: { ...request.input, recipients: `evidence:${'0'.repeat(64)}` } };
      await assert.rejects(new MockActivityEnvironment().run(send, other), (error: unknown) => error instanceof ApplicationFailure && error.type === 'recipients.invalid');
      assert.equal(inbox.received.length, 0);
    });
  });

  describe('with the evidence store in an S3-compatible bucket (moto)', () => {
    let s3: S3TestServer;
    before(async function () {
      this.timeout(120_000);
      const started = await startS3Server();
      if ('skip' in started) {
        console.log(`    skipped: ${started.skip}`);
        return this.skip();
      }
      s3 = started;
    });
    after(async () => s3?.stop());

    it('reads the list from the bucket, verified, with its custody event there, and refuses it once overwritten', async () => {
      const bucket = await s3.createBucket();
      const spoolDir = tempDir('batch-s3-spool');
      const evidence = new EvidenceStore(
        await S3BucketBackend.connect({ bucket, region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, prefix: 'ir/', credentials: async () => S3_TEST_CREDENTIALS, spoolDir }),
      );
      const { send, request, item } = await setup(inbox, people(3), evidence);
      const result = (await new MockActivityEnvironment().run(send, request)) as EmailBatchResult;
      assert.equal(result.sent, 3);
      assert.equal(inbox.received.length, 3);
      assert.deepEqual((await evidence.custody(item!.evidenceId)).map((e) => e.event), ['collected', 'viewed']);

      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: `ir/objects/${item!.sha256}`, Body: 'email\nattacker@example.net\n' }));
      const next = { ...request, key: `${INCIDENT}/second-notice`, stepId: 'second-notice' };
      await assert.rejects(new MockActivityEnvironment().run(send, next), (error: unknown) => error instanceof ApplicationFailure && error.type === 'evidence.tampered');
      assert.equal(inbox.received.length, 3, 'nothing more sent');
    });
  });

  it('reads JSON lists too, numbering rows from 1', () => {
    const parsed = parseRecipients(JSON.stringify([{ email: 'a@example.org', name: 'A' }, 'b@example.org']));
    assert.equal(parsed.ok, false);
    assert.deepEqual(!parsed.ok && parsed.issues, [{ row: 2, field: '', code: 'recipient.not_an_object' }]);
  });
});
