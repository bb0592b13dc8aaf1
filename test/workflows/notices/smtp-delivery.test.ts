import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import nodemailer from 'nodemailer';
import { createSendEmail } from '../../../activities/email/send-email';
import { resolveStepUpdate } from '../../../workflows/incident/definitions';
import { freePort } from '../../helpers/net';
import { SmtpInbox } from '../../helpers/smtp-inbox';
import { tempDir } from '../../helpers/temporal';
import { HOUR, clockActivities, startTimeSkipping, until, withIncident } from '../deadline-clocks/harness';

/*
 * A regulator notice through the real incident workflow, the real `notify.email` activity and a real SMTP server, on
 * the time-skipping test server: the mail server is down for ten minutes of workflow time, or refuses the recipient
 * for good. Whatever happens, the regulator receives the notice once or not at all, and the GDPR clock tells the truth.
 */

const REGULATOR = 'breach-reports@dpa.example.eu';

const runbook = (awareAt: string) => ({
  id: 'gdpr-notice-over-smtp',
  version: 1,
  title: 'GDPR notice over SMTP',
  steps: [
    { id: 'start-gdpr', clock: { start: 'gdpr-art33-sa', at: awareAt, reason: 'personal data confirmed exfiltrated' } },
    // No retry or onFailure written: the defaults every disclosure step gets are what is under test.
    { id: 'regulator-notice', action: 'notify.email', with: { to: REGULATOR, subject: 'Personal data breach notification', body: 'Art. 33 notification.' }, stops: 'gdpr-art33-sa' },
  ],
});

describe('a regulator notice over a real SMTP server, on the time-skipping server', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let mail: SmtpInbox;
  before(async () => {
    env = await startTimeSkipping();
  });
  after(async () => env?.teardown());
  beforeEach(async () => {
    // A fixed port, so the server can be down and come back where the activity expects it.
    mail = new SmtpInbox();
    mail.port = await freePort();
  });
  afterEach(async () => mail.stop());

  function activities() {
    // One connection per message and no pooling, as Firebreak's own transport: a restarted server is reached by the next attempt.
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: mail.port, secure: false, ignoreTLS: true, connectionTimeout: 2000 });
    return { ...clockActivities(), 'notify.email': createSendEmail({ from: 'privacy@example.org', dataDir: tempDir('smtp-notice'), smtp }) };
  }

  /** The attempt number of the notice activity Temporal is retrying, 0 when none is pending. */
  async function noticeAttempts(incidentId: string): Promise<number> {
    const described = await env.client.workflow.getHandle(incidentId).describe();
    const pending = described.raw.pendingActivities?.find((a) => a.activityType?.name === 'notify.email');
    return pending?.attempt ?? 0;
  }

  it('survives a 10-minute mail server outage: retried with backoff, delivered once, the clock stopped on time', async () => {
    const awareAt = (await env.currentTimeMs()) - 2 * HOUR;
    await withIncident(env, runbook(new Date(awareAt).toISOString()), activities(), async (incident) => {
      await until(incident, (s) => s.steps.find((step) => step.id === 'regulator-notice'));
      await env.sleep(10 * 60_000);
      const during = await incident.status();
      assert.equal(during.steps.find((s) => s.id === 'regulator-notice')!.state, 'running', 'still trying after ten minutes, not failed');
      assert.equal(during.clocks[0]!.state, 'running');
      const attempts = await noticeAttempts(incident.id);
      assert.ok(attempts >= 6, `attempts during the outage: ${attempts}`);

      await mail.start();
      await env.sleep(5 * 60_000); // the longest backoff between attempts
      const after = await until(incident, (s) => (s.clocks[0]!.state === 'stopped' ? s : undefined));
      assert.deepEqual(mail.received.flatMap((m) => m.to), [REGULATOR]);
      const stage = after.clocks[0]!.stages[0]!;
      assert.equal(stage.state, 'on-time');
      assert.ok(Date.parse(stage.submittedAt!) - awareAt >= 2 * HOUR + 10 * 60_000, 'submitted after the outage');

      // Time passes; no retry, timer or replay sends it again.
      await env.sleep(72 * HOUR);
      assert.equal(mail.received.length, 1, 'nobody receives a second copy');
    });
  });

  it('fails loudly on a permanent 550 and escalates to a person, who retries once the mailbox is fixed: one copy in all', async () => {
    await mail.start();
    mail.refuse.add(REGULATOR);
    const awareAt = (await env.currentTimeMs()) - 2 * HOUR;
    await withIncident(env, runbook(new Date(awareAt).toISOString()), activities(), async (incident) => {
      const escalated = await until(incident, (s) => s.timeline.find((t) => t.event === 'step.escalated' && t.stepId === 'regulator-notice'));
      assert.match(escalated.detail ?? '', /550/);
      const blocked = await incident.status();
      assert.equal(blocked.steps.find((s) => s.id === 'regulator-notice')!.state, 'blocked');
      assert.equal(await noticeAttempts(incident.id), 0, 'a permanent refusal is not retried silently');
      assert.equal(blocked.clocks[0]!.state, 'running', 'the duty is still open');
      assert.equal(blocked.abort, undefined, 'the incident did not abort');
      assert.equal(mail.received.length, 0);

      mail.refuse.clear();
      await env.client.workflow.getHandle(incident.id).executeUpdate(resolveStepUpdate, { args: [{ stepId: 'regulator-notice', choice: 'retry', reason: 'DPA mailbox fixed', actor: { kind: 'person', id: 'dana', roles: ['incident-commander'] }, at: new Date(await env.currentTimeMs()).toISOString() }] });
      await until(incident, (s) => (s.clocks[0]!.state === 'stopped' ? s : undefined));
      await env.sleep(HOUR);
      assert.deepEqual(mail.received.flatMap((m) => m.to), [REGULATOR]);
    });
  });
});
