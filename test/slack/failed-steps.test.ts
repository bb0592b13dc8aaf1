import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import type { Activities } from '../../activities';
import { ActionId } from '../../slack/action-ids';
import { FailureType } from '../../workflows/failure-types';
import { eventually } from '../helpers/firebreak';
import type { FakeMessage } from '../helpers/fake-slack';
import { type OpenedView, type SlackHarness, U, alertIncident, clickWithReason, decide, ephemeralCode, ephemeralsFor, messageFor, startSlackHarness, status } from './support';

const NOTICE = 'regulator-notice';

/** The codes of the ephemerals `user` got after `from`, once `count` of them arrived. */
async function tellsUser(h: SlackHarness, user: string, from: number, count = 1): Promise<string[]> {
  return eventually(async () => {
    const codes = ephemeralsFor(h, user).slice(from).map(ephemeralCode);
    return codes.length >= count ? codes : undefined;
  }, 20_000, `${count} ephemeral(s) for ${user}`);
}

const actionIdsOf = (message: FakeMessage): string[] =>
  (message.blocks as { type: string; elements?: { action_id: string }[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements!.map((e) => e.action_id));

describe('slack: a notice that failed for good is blocked until a responder chooses in the channel', function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    // The mail server refuses each incident's first attempt permanently (a 550); a retry then goes out for real.
    const refusedOnce = new Set<string>();
    const mailboxFullOnce = (real: Activities): Activities => ({
      ...real,
      'notify.email': async (request) => {
        if (!refusedOnce.has(request.key)) {
          refusedOnce.add(request.key);
          throw ApplicationFailure.create({ type: FailureType.EmailRejected, message: 'SMTP server refused the message (550 mailbox unavailable)', nonRetryable: true });
        }
        return real['notify.email'](request);
      },
    });
    h = await startSlackHarness({ runbookFixture: 'slack-failed-notice.yaml', activities: mailboxFullOnce });
  });
  after(async () => h?.stop());

  /** An incident whose approved notice has failed: the message standing for the step, once it shows buttons. */
  async function blockedNotice(title: string): Promise<{ id: string; message: FakeMessage }> {
    const id = await alertIncident(h, title);
    await decide(h, U.lena, await messageFor(h, `${id}/step/notice-approved`), 'approve', 'send it');
    const message = await messageFor(h, `${id}/step/${NOTICE}`, (m) => actionIdsOf(m).length > 0);
    return { id, message };
  }

  it('shows the failure with Retry, Continue without it and Abort incident, and calls the incident commander', async () => {
    const { id, message } = await blockedNotice('Mailbox full');
    assert.deepEqual(actionIdsOf(message), [ActionId.Retry, ActionId.Continue, ActionId.AbortIncident]);
    const shown = JSON.stringify(message.blocks);
    assert.match(shown, /550 mailbox unavailable/);
    assert.ok(shown.includes(`<@${U.cole}>`), 'the incident commander is mentioned on the step');
    assert.equal((await status(h.fb, id)).steps.find((s) => s.id === NOTICE)!.state, 'blocked');

    const statusMessage = await messageFor(h, `${id}/status`, (m) => JSON.stringify(m.blocks).includes(`*${NOTICE}* (action) — blocked`));
    const escalation = await eventually(async () => h.slack.messages.find((m) => m.channel === statusMessage.channel && !m.thread_ts && m.text.includes('*Escalation*') && m.text.includes(NOTICE)), 20_000, 'escalation in the channel');
    assert.ok(escalation.text.includes(`<@${U.cole}>`));
    await eventually(async () => h.slack.messages.find((m) => m.channel === `D${U.cole}` && m.text.includes(NOTICE)), 20_000, 'escalation DM to the commander');
  });

  it('refuses someone without a role in the runbook and records nothing; retries for a responder, once across a double submit', async () => {
    const { id, message } = await blockedNotice('Mailbox full, retried');

    const blank = await clickWithReason(h, U.sam, message, ActionId.Retry, '   ');
    assert.match(blank.submit.body, /"response_action":"errors"/, 'a blank reason keeps the modal open');

    const seenOlga = ephemeralsFor(h, U.olga).length;
    await clickWithReason(h, U.olga, message, ActionId.Retry, 'just try again');
    assert.deepEqual(await tellsUser(h, U.olga, seenOlga), ['approval.not_permitted']);
    const untouched = await status(h.fb, id);
    assert.equal(untouched.steps.find((s) => s.id === NOTICE)!.state, 'blocked');
    assert.ok(!untouched.timeline.some((t) => t.event.startsWith('step.resolution')), 'a refusal leaves no trace');

    const seenSam = ephemeralsFor(h, U.sam).length;
    const { view } = await clickWithReason(h, U.sam, message, ActionId.Retry, 'mailbox fixed');
    await h.sender.submit(U.sam, view, { reason: { reason: { type: 'plain_text_input', value: 'mailbox fixed' } } });
    assert.deepEqual(await tellsUser(h, U.sam, seenSam, 2), ['ok', 'ok']);

    const after = await eventually(async () => {
      const s = await status(h.fb, id);
      return s.steps.find((step) => step.id === NOTICE)?.state === 'done' ? s : undefined;
    }, 30_000, 'notice sent on retry');
    const resolutions = after.timeline.filter((t) => t.event.startsWith('step.resolution'));
    assert.deepEqual(resolutions.map((t) => [t.event, t.actor, t.detail]), [['step.resolution.retry', 'sam', 'mailbox fixed']]);

    await eventually(async () => (actionIdsOf(message).length === 0 ? true : undefined), 30_000, 'buttons gone once chosen');
    const shown = JSON.stringify(message.blocks);
    assert.ok(shown.includes('Retry') && shown.includes('chosen by *sam*') && shown.includes('mailbox fixed'), shown);
  });

  it('takes the buttons away when the incident is aborted while the step is blocked', async () => {
    const { id, message } = await blockedNotice('Mailbox full, aborted');
    const before = h.slack.views.length;
    await h.sender.command(U.cole, `abort ${id}`, { response_url: h.slack.responseUrl() });
    const view = await eventually(async () => h.slack.views[before] as OpenedView | undefined, 10_000, 'abort modal');
    await h.sender.submit(U.cole, view, { reason: { reason: { type: 'plain_text_input', value: 'notifying by phone instead' } } });
    await eventually(async () => ((await status(h.fb, id)).phase === 'aborted' ? true : undefined), 30_000, 'incident aborted');
    await eventually(async () => (actionIdsOf(message).length === 0 ? true : undefined), 30_000, 'buttons gone once the incident closed');
    assert.match(JSON.stringify(message.blocks), /550 mailbox unavailable/);
  });
});
