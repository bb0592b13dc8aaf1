import assert from 'node:assert/strict';
import { ActionId, ViewId } from '../../slack/action-ids';
import { eventually } from '../helpers/firebreak';
import { type OpenedView, type SlackHarness, U, alertIncident, buttonValue, ephemeralCode, messageFor, startSlackHarness, status } from './support';

const CLOCK = 'gdpr-art33-sa';

describe('slack: /incident stop-clock ends a deadline clock with a reason, for those who may', function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    h = await startSlackHarness({ runbookFixture: 'slack-failed-notice.yaml' });
  });
  after(async () => h?.stop());

  /** Runs `/incident <text>` as `user`, submits the modal it opens with `reason` (when it opens one), returns the reply. */
  async function command(user: string, text: string, reason?: string): Promise<string> {
    const responseUrl = h.slack.responseUrl();
    const before = h.slack.views.length;
    assert.equal((await h.sender.command(user, text, { response_url: responseUrl })).status, 200);
    if (reason !== undefined) {
      const view = await eventually(async () => h.slack.views[before] as OpenedView | undefined, 10_000, 'stop-clock modal');
      assert.equal(view.callback_id, ViewId.StopClock);
      await h.sender.submit(user, view, { reason: { reason: { type: 'plain_text_input', value: reason } } });
    }
    const reply = await eventually(async () => h.slack.responses.find((r) => responseUrl.endsWith(r.id)), 20_000, 'response_url reply');
    return String(reply.body.text);
  }

  it('refuses someone without a disclosure role, stops the clock for legal with the reason, and shows who stopped it', async () => {
    const id = await alertIncident(h, 'Maybe notifiable');
    const statusMessage = await messageFor(h, `${id}/status`, (m) => JSON.stringify(m.blocks).includes(ActionId.StopClock));

    // The status message's button opens the same modal, for this clock.
    const before = h.slack.views.length;
    await h.sender.click(U.lena, ActionId.StopClock, buttonValue(statusMessage, ActionId.StopClock), statusMessage.channel);
    const fromButton = await eventually(async () => h.slack.views[before] as OpenedView | undefined, 10_000, 'modal from the button');
    assert.equal(fromButton.callback_id, ViewId.StopClock);
    assert.equal(JSON.parse(fromButton.private_metadata).clockId, CLOCK);

    assert.equal(ephemeralCode(await command(U.lena, `stop-clock ${id}`)), 'command.missing_argument');

    const refused = await command(U.sam, `stop-clock ${id} ${CLOCK}`, 'not notifiable');
    assert.equal(ephemeralCode(refused), 'approval.not_permitted', refused);
    const untouched = await status(h.fb, id);
    assert.equal(untouched.clocks[0]!.state, 'running');
    assert.ok(!untouched.timeline.some((t) => t.event === 'clock.stopped'), 'a refusal leaves no trace');

    const reason = 'not notifiable: the data was encrypted and the key is safe';
    const stopped = await command(U.lena, `stop-clock ${id} ${CLOCK}`, reason);
    assert.match(stopped, /Stopped clock/);
    const clock = (await status(h.fb, id)).clocks[0]!;
    assert.equal(clock.state, 'stopped');
    assert.equal(clock.stoppedBy, `slack:${U.lena}`);
    assert.equal(clock.stopReason, reason);

    await eventually(async () => (JSON.stringify(statusMessage.blocks).includes(`stopped by slack:${U.lena}: ${reason}`) ? true : undefined), 30_000, 'status shows who stopped the clock');
    assert.ok(!JSON.stringify(statusMessage.blocks).includes(ActionId.StopClock), 'no stop button on a stopped clock');

    assert.equal(ephemeralCode(await command(U.lena, `stop-clock ${id} ${CLOCK}`, 'again')), 'clock.not_running');
  });
});
