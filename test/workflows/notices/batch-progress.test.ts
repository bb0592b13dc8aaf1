import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createSendEmailBatch } from '../../../activities/email/send-email-batch';
import { statusBlocks } from '../../../activities/slack/blocks/status-blocks';
import { renderIncident } from '../../../cli/render-incident';
import type { IncidentSnapshot, SlackSyncRequest } from '../../../workflows/incident/slack-snapshot';
import type { BatchProgress } from '../../../workflows/incident/state';
import { SmtpInbox } from '../../helpers/smtp-inbox';
import { tempDir } from '../../helpers/temporal';
import { clockActivities, startTimeSkipping, until, withIncident } from '../deadline-clocks/harness';

const RECIPIENTS = 300;

const runbook = {
  id: 'customer-notice-batch',
  version: 1,
  title: 'customer notice batch',
  roles: { approve: ['legal'] },
  steps: [
    {
      id: 'customer-notice',
      action: 'notify.email-batch',
      timeout: '5m',
      with: { recipients: 'file:affected.csv', subject: 'About your account, [[name]]', body: 'Dear [[name]], your account was affected.', perMinute: 3000, batchSize: 20 },
    },
  ],
};

describe('notify.email-batch progress in the incident status', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let inbox: SmtpInbox;
  before(async () => {
    env = await startTimeSkipping();
    inbox = new SmtpInbox();
    await inbox.start();
  });
  after(async () => {
    await inbox?.stop();
    await env?.teardown();
  });

  it('shows total, sent, already sent and failed while 300 notices go out under a rate limit, and the final counts after, in the status and the Slack status message', async () => {
    const dataDir = tempDir('batch-progress');
    mkdirSync(path.join(dataDir, 'recipients'));
    writeFileSync(path.join(dataDir, 'recipients', 'affected.csv'), ['email,name', ...Array.from({ length: RECIPIENTS }, (_, i) => `person${i}@example.org,Person ${i}`)].join('\n'));
    const snapshots: IncidentSnapshot[] = [];
    const activities = {
      ...clockActivities(),
      'slack.sync': async (request: SlackSyncRequest) => {
        snapshots.push(request.snapshot);
        return { skipped: 'slack.not_configured' as const };
      },
      'notify.email-batch': createSendEmailBatch({ from: 'privacy@example.org', dataDir, smtp: inbox.transport(), progressEveryMs: 500 }),
    };
    await withIncident(env, runbook, activities, async (incident) => {
      const running = await until(incident, (s) => {
        const b = s.batches?.['customer-notice'];
        return b && b.state === 'running' && b.sent > 0 ? b : undefined;
      });
      assert.equal(running.total, RECIPIENTS);
      assert.ok(running.sent < RECIPIENTS, `seen mid-batch (${running.sent} sent)`);
      assert.equal(running.failed, 0);

      const done = await until(incident, (s) => (s.phase === 'completed' ? s : undefined), 60_000);
      const final: BatchProgress = done.batches!['customer-notice']!;
      assert.deepEqual({ ...final, updatedAt: undefined }, { total: RECIPIENTS, sent: RECIPIENTS, alreadySent: 0, failed: 0, state: 'done', updatedAt: undefined });
      assert.equal(new Set(inbox.received.map((m) => m.to[0])).size, RECIPIENTS, 'everyone once');
      assert.equal(inbox.received.length, RECIPIENTS);

      const reports = done.timeline.filter((t) => t.stepId === 'customer-notice' && t.event.startsWith('notice.batch_'));
      assert.ok(reports.length >= 3 && reports.length < RECIPIENTS / 20 + 2, `throttled: ${reports.length} reports`);
      assert.equal(reports.at(-1)!.event, 'notice.batch_done');
      assert.deepEqual(reports.at(-1)!.facts, { total: '300', sent: '300', alreadySent: '0', failed: '0' });

      assert.match(renderIncident(done), /customer-notice: 300\/300 — 300 sent, 0 already sent, 0 failed \(done\)/);
      // The mirror got the counts while the batch ran and at the end, and renders them in the pinned status message.
      assert.ok(snapshots.some((s) => s.batches?.['customer-notice']?.state === 'running'));
      const last = [...snapshots].reverse().find((s) => s.batches?.['customer-notice']?.state === 'done')!;
      const text = JSON.stringify(statusBlocks(last, { mentions: () => [] }, new Date()).blocks);
      assert.match(text, /\*Notices\*\\n• \*customer-notice\* 300\/300: 300 sent, 0 already sent, 0 failed — done/);

      const history = await env.client.workflow.getHandle(incident.id).fetchHistory();
      const signals = history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
      assert.equal(signals, reports.length, 'one signal per report');
    });
  });
});
