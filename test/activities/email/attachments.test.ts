import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { type EmailResult, createSendEmail } from '../../../activities/email/send-email';
import { createResolveAttachments } from '../../../activities/email/attachments';
import { EvidenceStore } from '../../../evidence';
import { FailureType } from '../../../workflows/failure-types';
import { SmtpInbox } from '../../helpers/smtp-inbox';
import { tempDir } from '../../helpers/temporal';

const incidentId = 'incident/test/attach1';
const assessment = Buffer.from(JSON.stringify({ risk: 'high-risk', people: 1200 }, null, 2));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApplicationFailure, String(error));
    return error;
  }
  assert.fail('expected a failure');
}

describe('notify.email attachments against a real SMTP server', function () {
  this.timeout(30_000);
  let inbox: SmtpInbox;
  let store: EvidenceStore;
  let dataDir: string;
  const put = (content: Buffer, key: string) =>
    store.put(content, { key, incidentId, mediaType: 'application/json', name: 'breach-assessment.json', source: 'test', method: 'test', collectedBy: { kind: 'person', id: 'pat' } });
  const send = () => createSendEmail({ from: 'dpo@example.org', dataDir, smtp: inbox.transport(), evidence: async () => store });
  const request = (attachments: unknown[], extra: Record<string, unknown> = {}) => ({
    key: `${incidentId}/regulator-notice`,
    incidentId,
    stepId: 'regulator-notice',
    input: { to: 'sa@example.eu', subject: 'Art 33 notice', body: 'We notify a breach.', attachments, ...extra },
  });

  beforeEach(async () => {
    inbox = new SmtpInbox();
    await inbox.start();
    dataDir = tempDir('attach');
    store = await EvidenceStore.open(path.join(dataDir, 'evidence'));
  });
  afterEach(async () => inbox.stop());

  it('attaches the evidence byte for byte under its name, records an export naming the recipient, and never sends or reads twice', async () => {
    const item = await put(assessment, 'capture-1');
    const result = (await new MockActivityEnvironment().run(send(), request(['breach-assessment.json']))) as EmailResult;
    assert.equal(inbox.received.length, 1);
    const [attachment] = inbox.received[0]!.attachments;
    assert.equal(attachment?.filename, 'breach-assessment.json');
    assert.equal(attachment?.contentType, 'application/json');
    assert.ok(attachment!.content.equals(assessment), 'the attachment is the stored bytes');
    assert.deepEqual(result.attachments, [{ name: 'breach-assessment.json', evidenceId: item.evidenceId, sha256: sha256(assessment), size: assessment.length }]);

    const exported = (await store.custody(item.evidenceId)).filter((e) => e.event === 'exported');
    assert.equal(exported.length, 1);
    assert.match(exported[0]!.reason, /sa@example\.eu/);
    assert.equal(exported[0]!.sha256, item.sha256);

    const again = (await new MockActivityEnvironment({ attempt: 2 }).run(send(), request(['breach-assessment.json']))) as EmailResult;
    assert.equal(again.alreadySent, true);
    assert.equal(again.messageId, result.messageId, 'the Message-ID derives from the step key');
    assert.equal(inbox.received.length, 1, 'a retry sends nothing');
    assert.equal((await store.custody(item.evidenceId)).filter((e) => e.event === 'exported').length, 1, 'a retry reads nothing');
  });

  it('sends an approved attachment only while it is still the approved file', async () => {
    const first = await put(assessment, 'capture-1');
    const resolve = createResolveAttachments(async () => store);
    const approved = ((await new MockActivityEnvironment().run(resolve, { incidentId, stepId: 'approve', names: ['breach-assessment.json'] })) as Awaited<ReturnType<typeof resolve>>).attachments;
    assert.deepEqual(approved.map((a) => a.evidenceId), [first.evidenceId]);
    await put(Buffer.from('{"risk":"unlikely"}'), 'upload-2');

    const failure = await failureOf(new MockActivityEnvironment().run(send(), request(approved)));
    assert.equal(failure.type, FailureType.AttachmentChanged);
    assert.equal(failure.nonRetryable, true);
    assert.equal(inbox.received.length, 0, 'nothing is sent');
  });

  it('fails naming the attachment and the notice template when the incident has no such evidence, and sends nothing', async () => {
    const failure = await failureOf(new MockActivityEnvironment().run(send(), request(['breach-assessment.json'], { notice: 'gdpr-art33-sa.regulator' })));
    assert.equal(failure.type, FailureType.AttachmentMissing);
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /"breach-assessment\.json"/);
    assert.match(failure.message, /gdpr-art33-sa\.regulator/);
    assert.equal(inbox.received.length, 0);
  });
});
