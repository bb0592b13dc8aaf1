import { readFile } from 'node:fs/promises';
import path from 'node:path';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createPublishTimeline } from '../../activities/audit/publish-timeline';
import { withNoticeAudit } from '../../activities/audit/record-notice';
import { AuditLog, readAuditRecords } from '../../audit';
import type { EmailResult } from '../../activities/email/send-email';
import { tempDir, testKeys } from '../audit/fixtures/temp-log';

async function tempLog(): Promise<{ log: AuditLog; dir: string }> {
  const dir = await tempDir('activity-audit');
  return { log: await AuditLog.open(dir, { origin: 'test.firebreak/audit', signingKey: testKeys().signingKey }), dir };
}

describe('audit-writing activities', () => {
  it('writes a timeline batch once when the activity is retried, and checkpoints the batch that closes the incident', async () => {
    const { log, dir } = await tempLog();
    const publish = createPublishTimeline(async () => log);
    const request = {
      incidentId: 'incident/generic/abc',
      from: 0,
      entries: [
        { at: '2026-01-01T00:00:00.000Z', event: 'incident.opened', actor: 'source:generic' },
        { at: '2026-01-01T00:01:00.000Z', event: 'incident.completed' },
      ],
    };
    const env = new MockActivityEnvironment();
    await env.run(publish, request);
    await env.run(publish, request);
    const records = [];
    for await (const r of readAuditRecords(dir)) records.push(r);
    assert.deepEqual(records.map((r) => r.key), ['incident/generic/abc/timeline/0', 'incident/generic/abc/timeline/1']);
    assert.equal(log.head.size, 2);
    const checkpoints = (await readFile(path.join(dir, 'checkpoints.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { size: number });
    assert.deepEqual(checkpoints.map((cp) => cp.size), [2], 'one checkpoint at close, not one per attempt');
  });

  it('records a sent notice once with the hash of its text, however often the send is retried', async () => {
    const { log, dir } = await tempLog();
    let sends = 0;
    const send = async (): Promise<EmailResult> => ({ messageId: '<m@firebreak.local>', to: ['a@example.org'], delivery: 'outbox', alreadySent: sends++ > 0 });
    const audited = withNoticeAudit(send, async () => log);
    const request = { key: 'incident/generic/abc/send-notice', incidentId: 'incident/generic/abc', stepId: 'send-notice', input: { to: 'a@example.org', subject: 'S', body: 'B' } };
    await audited(request);
    await audited(request);
    const records = [];
    for await (const r of readAuditRecords(dir)) records.push(r);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.action, 'notice.sent');
    assert.match(String(records[0]!.data.textSha256), /^[0-9a-f]{64}$/);
  });
});
