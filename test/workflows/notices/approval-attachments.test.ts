import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createResolveAttachments } from '../../../activities/email/attachments';
import { createSendEmail } from '../../../activities/email/send-email';
import { EvidenceStore } from '../../../evidence';
import { answerUpdate, decideUpdate } from '../../../workflows/incident/definitions';
import { SmtpInbox } from '../../helpers/smtp-inbox';
import { tempDir } from '../../helpers/temporal';
import { type Running, clockActivities, startTimeSkipping, until, withIncident } from '../deadline-clocks/harness';

const runbook = {
  id: 'attachment-binding',
  version: 1,
  title: 'attachment binding',
  roles: { approve: ['legal'] },
  steps: [
    // The test uploads the evidence under the incident's id once it has one, then answers.
    { id: 'assessment-uploaded', input: { ask: 'Is the breach assessment uploaded?', type: 'boolean', role: 'approve' } },
    { id: 'approve-notice', approval: { role: 'approve', draft: 'We notify a breach ({{incident.id}}); our assessment is attached.', attachments: ['breach-assessment.json'] } },
    {
      id: 'regulator-notice',
      action: 'notify.email',
      with: { to: 'sa@example.eu', subject: 'Art 33 notice', body: 'We notify a breach.', notice: 'gdpr-art33-sa.regulator', attachments: '{{steps.approve-notice.attachments}}' },
    },
  ],
};

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe('approval bound to the SHA-256 of the draft and its attachments', function () {
  this.timeout(90_000);
  let env: TestWorkflowEnvironment;
  let inbox: SmtpInbox;
  let store: EvidenceStore;
  let dataDir: string;
  before(async () => {
    env = await startTimeSkipping();
  });
  after(async () => env?.teardown());
  beforeEach(async () => {
    inbox = new SmtpInbox();
    await inbox.start();
    dataDir = tempDir('approve-attach');
    store = await EvidenceStore.open(path.join(dataDir, 'evidence'));
  });
  afterEach(async () => inbox.stop());

  const activities = () => ({
    ...clockActivities(),
    'notify.resolve-attachments': createResolveAttachments(async () => store),
    'notify.email': createSendEmail({ from: 'dpo@example.org', dataDir, smtp: inbox.transport(), evidence: async () => store }),
  });
  const upload = (incidentId: string, content: string, key: string) =>
    store.put(Buffer.from(content), { key, incidentId, mediaType: 'application/json', name: 'breach-assessment.json', source: 'test', method: 'test upload', collectedBy: { kind: 'person', id: 'pat' } });
  const uploaded = async (incident: Running) => {
    await until(incident, (s) => s.pendingInputs[0]);
    await env.client.workflow.getHandle(incident.id).executeUpdate(answerUpdate, {
      args: [{ stepId: 'assessment-uploaded', value: true, actor: { kind: 'person', id: 'pat', roles: ['legal'] }, at: new Date().toISOString() }],
    });
  };
  const approve = (incident: Running, draftSha256: string | undefined) =>
    env.client.workflow.getHandle(incident.id).executeUpdate(decideUpdate, {
      args: [{ stepId: 'approve-notice', decision: 'approve', reason: 'checked', actor: { kind: 'person', id: 'lee', roles: ['legal'] }, at: new Date().toISOString(), draftSha256 }],
    });

  it('asks again when the attached file is replaced before the approval lands, and sends the file approved the second time', async () => {
    await withIncident(env, runbook, activities(), async (incident) => {
      const first = '{"risk":"high-risk"}';
      await upload(incident.id, first, 'upload-1');
      await uploaded(incident);
      const shown = await until(incident, (s) => s.approvals[0]);
      assert.equal(shown.attachments?.[0]?.sha256, sha256(first));
      assert.equal(shown.draftSha256, sha256(`${shown.draft}\n-- attachments --\n${sha256(first)}  breach-assessment.json\n`), 'the hash covers the draft and each file');

      const second = '{"risk":"high-risk","people":1200}';
      await upload(incident.id, second, 'upload-2');
      await approve(incident, shown.draftSha256);
      const changed = await until(incident, (s) => (s.timeline.some((t) => t.event === 'approval.draft_changed') ? s : undefined));
      const now = changed.approvals[0]!;
      assert.equal(now.attachments?.[0]?.sha256, sha256(second));
      assert.notEqual(now.draftSha256, shown.draftSha256);
      assert.equal(changed.steps.find((s) => s.id === 'approve-notice')?.state, 'waiting', 'the approval of the old file does not count');
      assert.equal(inbox.received.length, 0);

      await approve(incident, now.draftSha256);
      const done = await until(incident, (s) => (s.phase === 'completed' ? s : undefined));
      assert.equal(inbox.received.length, 1);
      assert.equal(inbox.received[0]!.attachments[0]!.content.toString(), second);
      assert.equal((done.steps.find((s) => s.id === 'regulator-notice')!.result as { attachments: { sha256: string }[] }).attachments[0]!.sha256, sha256(second));
    });
  });

  it('fails the approval naming the attachment when the incident has no such evidence, and sends nothing', async () => {
    await withIncident(env, runbook, activities(), async (incident) => {
      await uploaded(incident);
      const failed = await until(incident, (s) => (s.phase === 'failed' ? s : undefined));
      const step = failed.steps.find((s) => s.id === 'approve-notice')!;
      assert.equal(step.state, 'failed');
      assert.equal(step.error?.type, 'notice.attachment_missing');
      assert.match(step.error!.message, /breach-assessment\.json/);
      assert.equal(failed.approvals.length, 0, 'nobody was asked to approve an incomplete notice');
      assert.equal(inbox.received.length, 0);
    });
  });
});
