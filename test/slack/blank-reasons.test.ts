import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import { eventually } from '../helpers/firebreak';
import { type OpenedView, type SlackHarness, U, alertIncident, decide, messageFor, startSlackHarness, status } from './support';

const UpdateAccepted = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED;

/*
 * Slack's `min_length` lets a reason of spaces through. The incident client parses every reason modal with the
 * message schema before the listener acks, so the modal stays open with `request.invalid` (the API's code) under the
 * reason field, and nothing reaches the workflow.
 */
describe('slack: a blank reason keeps the modal open with request.invalid', function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    h = await startSlackHarness();
  });
  after(async () => h?.stop());

  const acceptedUpdates = async (id: string): Promise<number> =>
    ((await h.fb.client.workflow.getHandle(id).fetchHistory()).events ?? []).filter((e) => e.eventType === UpdateAccepted).length;

  it('refuses a blank approval and rejection reason, records nothing, then takes a real one', async () => {
    const id = await alertIncident(h, 'Blank approval reason');
    const approval = await messageFor(h, `${id}/step/approve-notice`);
    for (const decision of ['approve', 'reject'] as const) {
      const { submit } = await decide(h, U.lena, approval, decision, '  \n ');
      assert.equal(submit.status, 200);
      assert.match(submit.body, /"response_action":"errors"/);
      assert.match(submit.body, /request\.invalid/);
    }
    assert.equal(await acceptedUpdates(id), 0);
    assert.equal((await status(h.fb, id)).approvals[0]!.decisions.length, 0);
    await decide(h, U.lena, approval, 'approve', 'checked the draft');
    await eventually(async () => ((await status(h.fb, id)).approvals[0]!.decisions.length === 1 ? true : undefined), 20_000, 'approval recorded');
  });

  it('refuses a blank abort reason from `/incident abort`', async () => {
    const id = await alertIncident(h, 'Blank abort reason');
    await messageFor(h, `${id}/step/approve-notice`);
    const before = h.slack.views.length;
    await h.sender.command(U.cole, `abort ${id}`);
    const view = await eventually(async () => h.slack.views[before] as OpenedView | undefined, 10_000, 'abort modal');
    const submit = await h.sender.submit(U.cole, view, { reason: { reason: { type: 'plain_text_input', value: '   ' } } });
    assert.match(submit.body, /"response_action":"errors"/);
    assert.match(submit.body, /request\.invalid/);
    assert.equal(await acceptedUpdates(id), 0);
    assert.equal((await status(h.fb, id)).phase, 'running');
  });
});
