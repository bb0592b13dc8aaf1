import assert from 'node:assert/strict';
import type { Activities } from '../../activities';
import { eventually } from '../helpers/firebreak';
import { LEGAL_GROUP, type SlackHarness, U, alertIncident, messageFor, startSlackHarness, status } from './support';

/** Slack mention markup in a message: `@U…` for users, `!subteam^S…` for user groups. */
const mentionsIn = (text: string): string[] => [...text.matchAll(/<(@U\w+|!subteam\^\w+)>/g)].map((m) => m[1]!).sort();

describe('slack: an approval nobody decides escalates to the escalation role', function () {
  this.timeout(120_000);
  let h: SlackHarness;
  // The sync carrying the escalation runs for real, then its worker "dies" before reporting: Temporal runs it again.
  let crashed = false;
  let retriedToCompletion = false;

  before(async () => {
    const crashOnceAfterEscalating = (real: Activities): Activities => ({
      ...real,
      'slack.sync': async (request) => {
        const result = await real['slack.sync'](request);
        if (!request.entries.some((e) => e.event === 'approval.escalated')) return result;
        if (!crashed) {
          crashed = true;
          throw new Error('worker died after the escalation went out, before the activity completed');
        }
        retriedToCompletion = true;
        return result;
      },
    });
    h = await startSlackHarness({ runbookFixture: 'slack-escalation.yaml', activities: crashOnceAfterEscalating });
  });
  after(async () => h?.stop());

  it('mentions the role in the incident channel and DMs each member, once each across retries', async () => {
    // The first escalation attempt also fails part-way, after the channel post and before any DM.
    h.slack.fail('conversations.open', { status: 500 });
    const incidentId = await alertIncident(h, 'Nobody decides');
    const statusMessage = await messageFor(h, `${incidentId}/status`);
    await eventually(async () => (retriedToCompletion ? true : undefined), 60_000, 'escalation sync retried to completion');

    const s = await status(h.fb, incidentId);
    const escalated = s.timeline.findIndex((t) => t.event === 'approval.escalated');
    assert.ok(escalated >= 0);
    assert.equal(s.timeline[escalated]!.detail, 'incident-commander');
    assert.ok(s.steps.some((step) => step.id === 'approve-notice' && step.state === 'waiting'), 'the approval keeps waiting');

    const key = `${incidentId}/escalation/${escalated}`;
    const inChannel = h.slack.messagesWithKey(key);
    assert.equal(inChannel.length, 1);
    assert.equal(inChannel[0]!.channel, statusMessage.channel);
    assert.equal(inChannel[0]!.thread_ts, undefined);
    assert.deepEqual(mentionsIn(inChannel[0]!.text), [`!subteam^${LEGAL_GROUP}`, `@${U.cole}`].sort());

    const members = [U.cole, U.lena, U.liam];
    for (const user of members) {
      const opened = h.slack.callsTo('conversations.open').filter((c) => c.args.users === user && c.status === 200);
      assert.equal(opened.length, 1, `one conversations.open for ${user}`);
      const dms = h.slack.messagesWithKey(`${key}/dm/${user}`);
      assert.equal(dms.length, 1, `one DM to ${user}`);
      assert.equal(dms[0]!.channel, `D${user}`);
    }
    const dmTargets = h.slack.callsTo('conversations.open').filter((c) => c.status === 200).map((c) => c.args.users);
    assert.deepEqual([...dmTargets].sort(), [...members].sort(), 'nobody outside the escalation role is DMed');
    assert.equal(h.slack.messages.filter((m) => m.channel.startsWith('D')).length, members.length);
  });
});
