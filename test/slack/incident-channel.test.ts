import assert from 'node:assert/strict';
import { ViewId } from '../../slack/action-ids';
import { eventually } from '../helpers/firebreak';
import { type SlackHarness, U, alertIncident, decide, messageFor, startSlackHarness, status } from './support';

describe('slack: an incident gets a channel with a live status message', function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    h = await startSlackHarness();
  });
  after(async () => h?.stop());

  it('declares from the modal, creates one channel, invites the runbook roles and pins one status message', async () => {
    const command = await h.sender.command(U.sam, 'declare', { response_url: h.slack.responseUrl() });
    assert.equal(command.status, 200);
    const view = await eventually(async () => h.slack.views.find((v) => v.callback_id === ViewId.Declare) as { callback_id: string; private_metadata: string } | undefined);
    const submitted = await h.sender.submit(U.sam, view, {
      title: { title: { type: 'plain_text_input', value: 'Payroll export leaked' } },
      severity: { severity: { type: 'static_select', selected_option: { value: 'critical' } } },
      runbook: { runbook: { type: 'static_select', selected_option: { value: 'slack-drill' } } },
      description: { description: { type: 'plain_text_input', value: null } },
    });
    assert.equal(submitted.status, 200);
    const reply = await eventually(async () => h.slack.responses.find((r) => String(r.body.text).includes('incident/declared/')));
    const incidentId = /`(incident\/declared\/[0-9A-Z]+)`/.exec(String(reply.body.text))![1]!;

    const statusMessage = await messageFor(h, `${incidentId}/status`);
    const channel = h.slack.channels.get(statusMessage.channel)!;
    // Private, and named by severity and a short id only: the title says what leaked.
    assert.match(channel.name, /^inc-critical-[0-9a-z]{8}$/);
    assert.equal(channel.isPrivate, true);
    assert.equal(h.slack.callsTo('conversations.create')[0]!.args.is_private, 'true');
    for (const member of [U.lena, U.liam, U.sam, U.cole]) assert.ok(channel.members.has(member), `${member} invited`);
    assert.ok(!channel.members.has(U.olga));
    // The pin is the sync's next call after the post: wait for it rather than race it.
    await eventually(async () => (h.slack.pins.length > 0 ? true : undefined), 10_000, 'the status message pinned');
    assert.deepEqual(h.slack.pins, [{ channel: channel.id, ts: statusMessage.ts }]);
    assert.equal((await status(h.fb, incidentId)).openedBy, 'sam');
  });

  it('edits the status message in place as steps move, and threads the timeline under it', async () => {
    const incidentId = await alertIncident(h, 'Status moves');
    const statusMessage = await messageFor(h, `${incidentId}/status`, (m) => JSON.stringify(m.blocks).includes('approve-notice'));
    const approval = await messageFor(h, `${incidentId}/step/approve-notice`);
    await decide(h, U.lena, approval, 'approve', 'ok to notify');
    await eventually(async () => (JSON.stringify(statusMessage.blocks).includes('*personal-data* (input) — waiting') ? true : undefined), 30_000, 'status shows the input step waiting');
    const topLevelKeys = h.slack.messages.filter((m) => m.channel === statusMessage.channel && !m.thread_ts).map((m) => m.metadata?.event_payload.key);
    assert.equal(topLevelKeys.filter((k) => k === `${incidentId}/status`).length, 1, 'never reposted');
    assert.ok(statusMessage.edits >= 1);
    await eventually(async () => h.slack.messages.find((m) => m.thread_ts === statusMessage.ts && m.text.includes('approval.approve')), 30_000, 'decision in the thread');
    assert.ok(JSON.stringify(statusMessage.blocks).includes('http://temporal-ui.test/namespaces/default/workflows/'));
  });

  it('shows who approved, when and why on the approval message, without buttons', async () => {
    const incidentId = await alertIncident(h, 'Shows the decider');
    const approval = await messageFor(h, `${incidentId}/step/approve-notice`);
    await decide(h, U.liam, approval, 'approve', 'counsel agrees');
    await eventually(async () => (approval.edits > 0 && !JSON.stringify(approval.blocks).includes('"actions"') ? true : undefined), 30_000, 'approval message updated');
    const shown = JSON.stringify(approval.blocks);
    assert.ok(shown.includes(`slack:${U.liam}`) && shown.includes('counsel agrees') && /\d{4}-\d{2}-\d{2} \d{2}:\d{2}Z/.test(shown));
  });

  it('answers an input step through a typed modal and moves on', async () => {
    const incidentId = await alertIncident(h, 'Typed input');
    const approval = await messageFor(h, `${incidentId}/step/approve-notice`);
    await decide(h, U.lena, approval, 'approve', 'fine');
    const question = await messageFor(h, `${incidentId}/step/personal-data`);
    const button = (question.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === 'actions')!.elements![0]!;
    const before = h.slack.views.length;
    await h.sender.click(U.sam, button.action_id, button.value, question.channel);
    const view = await eventually(async () => h.slack.views[before] as { callback_id: string; private_metadata: string; blocks: { element?: { type: string } }[] } | undefined);
    assert.equal(view.blocks[1]!.element!.type, 'radio_buttons');
    await h.sender.submit(U.sam, view, { answer: { answer: { type: 'radio_buttons', selected_option: { value: 'false' } } } });
    const done = await eventually(async () => {
      const s = await status(h.fb, incidentId);
      return s.phase === 'completed' ? s : undefined;
    }, 30_000, 'incident completed');
    assert.equal(done.answers['personal-data'], false);
    await eventually(async () => (JSON.stringify(question.blocks).includes('Answered') ? true : undefined), 30_000, 'question shows the answer');
  });
});
