import assert from 'node:assert/strict';
import { FailureType } from '../../workflows/failure-types';
import { eventually } from '../helpers/firebreak';
import { type SlackHarness, alertIncident, messageFor, startSlackHarness, status } from './support';

describe('slack: rate limits and outages never duplicate a message or stall the incident', function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    h = await startSlackHarness();
  });
  after(async () => h?.stop());

  async function statusPostsFor(id: string): Promise<number> {
    await messageFor(h, `${id}/step/approve-notice`);
    return h.slack.messagesWithKey(`${id}/status`).length;
  }

  it('waits out a 429 for its Retry-After and then posts the status message once', async () => {
    h.slack.fail('chat.postMessage', { status: 429, retryAfter: 1 });
    const id = await alertIncident(h, 'Rate limited');
    assert.equal(await statusPostsFor(id), 1);
    const attempts = h.slack.callsTo('chat.postMessage').filter((c) => (c.args.metadata as { event_payload: { key: string } }).event_payload.key === `${id}/status`);
    assert.deepEqual(attempts.map((c) => c.status), [429, 200]);
    assert.ok(attempts[1]!.at - attempts[0]!.at >= 1_000, 'retried after Retry-After');
  });

  it('retries a 500 and posts once', async () => {
    h.slack.fail('chat.postMessage', { status: 500 });
    const id = await alertIncident(h, 'Slack 500');
    assert.equal(await statusPostsFor(id), 1);
  });

  it('finds the message it posted when the connection dropped before the answer, instead of posting a twin', async () => {
    h.slack.fail('chat.postMessage', { applyThenDrop: true });
    const id = await alertIncident(h, 'Dropped answer');
    assert.equal(await statusPostsFor(id), 1);
    assert.ok(h.slack.callsTo('conversations.history').length > 0, 'looked the key up in history');
  });

  it('gives up after bounded retries, records the failure on the timeline, and the incident goes on', async () => {
    h.slack.fail('conversations.create', ...Array.from({ length: 6 }, () => ({ status: 500 as const })));
    const id = await alertIncident(h, 'Slack down for good');
    const failed = await eventually(async () => (await status(h.fb, id)).timeline.find((t) => t.event === 'slack.sync_failed'), 90_000, 'sync failure recorded');
    assert.equal(failed.detail, FailureType.SlackUnavailable);
    const s = await status(h.fb, id);
    assert.equal(s.phase, 'running');
    assert.ok(s.steps.some((step) => step.id === 'approve-notice' && step.state === 'waiting'));
  });
});
