import assert from 'node:assert/strict';
import { eventually } from '../helpers/firebreak';
import { type SlackHarness, U, alertIncident, messageFor, startSlackHarness, status } from './support';

describe('slack: a label the runbook requires and the alert lacks is asked in the channel', function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    h = await startSlackHarness({ runbookFixture: 'slack-label-question.yaml' });
  });
  after(async () => h?.stop());

  it('posts the question labels.user, answers it through the text modal, and the step reads the answer', async () => {
    const incidentId = await alertIncident(h, 'No user label');
    const question = await messageFor(h, `${incidentId}/step/labels.user`);
    assert.ok(JSON.stringify(question.blocks).includes('Which account is compromised?'));
    const button = (question.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === 'actions')!.elements![0]!;
    const before = h.slack.views.length;
    await h.sender.click(U.sam, button.action_id, button.value, question.channel);
    const view = await eventually(async () => h.slack.views[before] as { callback_id: string; private_metadata: string; blocks: { element?: { type: string } }[] } | undefined);
    assert.equal(view.blocks[1]!.element!.type, 'plain_text_input');
    await h.sender.submit(U.sam, view, { answer: { answer: { type: 'plain_text_input', value: 'm.smith' } } });
    const done = await eventually(async () => {
      const s = await status(h.fb, incidentId);
      return s.phase === 'completed' ? s : undefined;
    }, 30_000, 'incident completed');
    assert.equal(done.answers['labels.user'], 'm.smith');
    assert.deepEqual(done.steps.find((s) => s.id === 'suspend')?.state, 'done');
  });
});
