import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WebClient } from '@slack/web-api';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import { AuditLog, readAuditRecords, verifyAuditLog } from '../../../audit';
import type { AuditRecord } from '../../../audit/record';
import { createAppendAudit } from '../../../activities/audit/append-record';
import { createPublishTimeline } from '../../../activities/audit/publish-timeline';
import { withNoticeAudit } from '../../../activities/audit/record-notice';
import { messageIdFor } from '../../../activities/email/message-id';
import { createSendEmail } from '../../../activities/email/send-email';
import { SlackMessageStore } from '../../../activities/slack/message-store';
import { createNotifySlack } from '../../../activities/slack/notify-slack';
import { statusQuery } from '../../../workflows/incident/definitions';
import type { ActionRequest } from '../../../workflows/runbook-interpreter/steps/action';
import { testKeys } from '../../audit/fixtures/temp-log';
import { FakeSlack } from '../../helpers/fake-slack';
import { SmtpInbox } from '../../helpers/smtp-inbox';
import { tapTestLog, tempDir, workflowBundle } from '../../helpers/temporal';
import { HOUR, clockActivities, incidentInput, pin, startTimeSkipping } from '../deadline-clocks/harness';

/*
 * A containment lift that runs after its incident closed (issue 14), through the real incident and lift workflows on
 * the time-skipping server, the real audit log (signed, then verified as `firebreak audit verify` does), the real
 * `notify.email` and a real SMTP server. The vendor is a stand-in that answers or keeps refusing the undo: what is
 * under test is what the lift leaves behind, not the vendor call (the Cloudflare tests cover that).
 */

const COMMANDER = 'ic-oncall@example.org';
const IP = '203.0.113.9';

const runbook = {
  id: 'lift-after-close',
  version: 1,
  title: 'Block for two hours',
  steps: [{ id: 'block', action: 'network.block-ip', with: { ip: IP, reason: 'drill', ttl: '2h' }, compensate: true }],
};

describe('a containment lift after the incident closed leaves an audit record, and a failed one escalates', function () {
  this.timeout(240_000);
  const keys = testKeys();
  let env: TestWorkflowEnvironment;
  let mail: SmtpInbox;
  before(async () => {
    mail = new SmtpInbox();
    await mail.start();
  });
  after(async () => mail?.stop());
  // A server per test: after a first incident whose lift ran, a second lift's timer was never skipped on a shared one.
  beforeEach(async () => {
    env = await startTimeSkipping();
  });
  afterEach(async () => env?.teardown());

  /** Runs the incident to its close and then its lift to its end, with a vendor whose undo answers `unblock`. */
  async function closeThenLift(unblock: (request: ActionRequest) => Promise<unknown>, slack?: FakeSlack, contacts: Record<string, string> = { 'incident-commander': COMMANDER }) {
    const incidentId = `incident/test/${randomUUID().replace(/-/g, '')}`;
    // With Slack, the incident's channel is where its first sync put it (slack.sync itself is not under test here).
    const slackDeps = slack && { client: new WebClient('xoxb-fake-token', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }), store: new SlackMessageStore(tempDir('lift-slack')), attempt: () => Context.current().info.attempt };
    if (slackDeps) {
      const created = await slackDeps.client.conversations.create({ name: 'inc-lift-drill' });
      await slackDeps.store.put(`${incidentId}/channel`, { channel: created.channel!.id! });
    }
    const auditDir = tempDir('lift-audit');
    const log = AuditLog.open(auditDir, { origin: 'test.firebreak/lift', signingKey: keys.signingKey });
    const auditLog = () => log;
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: mail.port, secure: false, ignoreTLS: true, connectionTimeout: 2000 });
    const activities = {
      ...clockActivities(),
      'slack.postCheckpoint': async () => ({ skipped: 'slack.not_configured' as const }),
      'incident.publish': createPublishTimeline(auditLog),
      'audit.append': createAppendAudit(auditLog),
      'notify.email': withNoticeAudit(createSendEmail({ from: 'firebreak@example.org', dataDir: tempDir('lift-mail'), smtp }), auditLog),
      'network.block-ip': async (request: ActionRequest) => ({ vendor: 'cloudflare', target: request.input.ip, before: { state: 'absent' }, after: { state: 'blocked' } }),
      'network.unblock-ip': unblock,
      'notify.slack': createNotifySlack(slackDeps),
    };
    const taskQueue = `lift-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
    const opened = incidentInput(pin(runbook), new Date(await env.currentTimeMs()).toISOString());
    const input = { ...opened, incidentId, config: { contacts }, slackMirror: slack !== undefined };
    const outcome = await worker.runUntil(async () => {
      const incident = await env.client.workflow.start('incidentWorkflow', { taskQueue, workflowId: input.incidentId, args: [input] });
      await incident.result();
      const closed = await incident.query(statusQuery);
      const lift = env.client.workflow.getHandle(`${input.incidentId}/lift/block`);
      const liftedAt = await lift.result().then(
        () => 'lifted',
        (error: { message: string; cause?: { message: string } }) => `failed: ${error.cause?.message ?? error.message}`,
      );
      return { closed, liftedAt, liftDescribed: await lift.describe(), incidentDescribed: await incident.describe() };
    });
    await (await log).close();
    const records: AuditRecord[] = [];
    for await (const record of readAuditRecords(auditDir, { incidentId: input.incidentId })) records.push(record);
    return { ...outcome, incidentId: input.incidentId, records, verified: await verifyAuditLog(auditDir, keys.publicKey) };
  }

  it('records containment.lifted, naming the step, target and request key, after the incident closed; the log verifies', async () => {
    const undone: string[] = [];
    const run = await closeThenLift(async (request) => {
      undone.push(request.key);
      return { vendor: 'cloudflare', target: request.input.ip, before: { state: 'blocked' }, after: { state: 'absent' }, restoredToRecorded: true };
    });
    assert.equal(run.closed.phase, 'completed');
    assert.equal(run.liftedAt, 'lifted');
    const afterClose = run.liftDescribed.closeTime!.getTime() - run.incidentDescribed.closeTime!.getTime();
    assert.ok(afterClose > HOUR, `the lift ran ${afterClose} ms after the incident closed`);
    assert.deepEqual(undone, [`${run.incidentId}/block/undo`]);
    const closedAt = run.records.findIndex((r) => r.action === 'incident.completed');
    const lifted = run.records.filter((r) => r.action === 'containment.lifted');
    assert.equal(lifted.length, 1);
    assert.ok(closedAt >= 0 && run.records.indexOf(lifted[0]!) > closedAt, "the lift follows the incident's closing record");
    assert.equal(lifted[0]!.subject, 'block');
    assert.deepEqual(lifted[0]!.data, { action: 'network.unblock-ip', target: JSON.stringify({ ip: IP, reason: 'drill' }), requestKey: `${run.incidentId}/block/undo`, vendor: 'cloudflare' });
    assert.ok(run.verified.ok, JSON.stringify(run.verified.problems));
    assert.equal(mail.received.filter((m) => m.subject.includes('lift failed')).length, 0, 'a lift that worked alarms nobody');
  });

  it('a vendor that keeps refusing: bounded retries, containment.lift_failed with the code, one email to the incident commander', async () => {
    let attempts = 0;
    const before = mail.received.length;
    const logged: string[] = [];
    const untap = tapTestLog((line) => logged.push(line));
    const run = await closeThenLift(async () => {
      attempts++;
      throw ApplicationFailure.create({ type: 'cloudflare.unavailable', message: 'Cloudflare answered 503' });
    }).finally(untap);
    assert.ok(
      logged.some((line) => line.includes('containment lift failed after its last attempt') && line.includes('"code":"cloudflare.unavailable"') && line.includes('"level":40')),
      'a warning in the worker log',
    );
    assert.equal(run.closed.phase, 'completed');
    assert.match(run.liftedAt, /^failed: network\.unblock-ip for step block failed: cloudflare\.unavailable/);
    assert.equal(run.liftDescribed.status.name, 'FAILED', 'the lift workflow shows the failure too');
    assert.equal(attempts, 10, 'the undo is retried a bounded number of times');
    const liftTook = Date.parse(run.liftDescribed.closeTime!.toISOString()) - Date.parse(run.liftDescribed.startTime.toISOString()) - 2 * HOUR;
    assert.ok(liftTook < HOUR, `the failure surfaced ${Math.round(liftTook / 60_000)} min after the lift was due`);

    const failed = run.records.filter((r) => r.action === 'containment.lift_failed');
    assert.equal(failed.length, 1);
    assert.deepEqual(failed[0]!.data, { action: 'network.unblock-ip', target: JSON.stringify({ ip: IP, reason: 'drill' }), requestKey: `${run.incidentId}/block/undo`, code: 'cloudflare.unavailable' });
    assert.equal(run.records.filter((r) => r.action === 'containment.lifted').length, 0);
    assert.ok(run.verified.ok, JSON.stringify(run.verified.problems));

    const sent = mail.received.slice(before);
    assert.equal(sent.length, 1, 'exactly one email');
    assert.deepEqual(sent[0]!.to, [COMMANDER]);
    assert.equal(sent[0]!.messageId, messageIdFor(`${run.incidentId}/block/lift-failed/incident-commander`));
    assert.match(sent[0]!.subject, /Containment lift failed: /);
    assert.match(sent[0]!.text, /cloudflare\.unavailable/);
    assert.match(sent[0]!.text, new RegExp(IP.replace(/\./g, '\\.')));
    // The escalation itself is on the record, by its Message-ID.
    const notice = run.records.find((r) => r.action === 'notice.sent' && r.data.messageId === sent[0]!.messageId);
    assert.ok(notice, 'the email to the incident commander is in the audit log');
  });

  it('with Slack, a failed lift is also posted to the incident channel, once', async () => {
    const slack = await FakeSlack.start();
    try {
      const before = mail.received.length;
      const run = await closeThenLift(async () => {
        throw ApplicationFailure.create({ type: 'cloudflare.forbidden', message: 'token lacks Account Filter Lists Edit', nonRetryable: true });
      }, slack);
      assert.equal(run.liftDescribed.status.name, 'FAILED');
      assert.deepEqual(run.records.filter((r) => r.action === 'containment.lift_failed').map((r) => r.data.code), ['cloudflare.forbidden']);
      const posts = slack.messages.filter((m) => m.text.includes('could not be undone'));
      assert.equal(posts.length, 1, 'one post');
      assert.match(posts[0]!.text, /cloudflare\.forbidden/);
      assert.equal(mail.received.length - before, 1, 'and one email to the incident commander');
    } finally {
      await slack.stop();
    }
  });

  it('without a contact for the incident commander, the failure is still recorded and logged as reaching no email', async () => {
    const before = mail.received.length;
    const logged: string[] = [];
    const untap = tapTestLog((line) => logged.push(line));
    const run = await closeThenLift(async () => {
      throw ApplicationFailure.create({ type: 'cloudflare.forbidden', message: 'refused', nonRetryable: true });
    }, undefined, {}).finally(untap);
    assert.deepEqual(run.records.filter((r) => r.action === 'containment.lift_failed').map((r) => r.data.code), ['cloudflare.forbidden']);
    assert.equal(mail.received.length, before, 'nobody to email');
    assert.ok(logged.some((line) => line.includes('lift failure reaches no email') && line.includes('"level":40')), 'says so in the worker log');
  });
});
