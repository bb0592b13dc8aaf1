import assert from 'node:assert/strict';
import { approvalBlocks } from '../../../activities/slack/blocks/step-blocks';
import type { ApprovalSnapshot } from '../../../workflows/incident/slack-snapshot';
import { slackRefusal } from '../../helpers/slack-limits';

const approval = (draft: string): ApprovalSnapshot => ({
  stepId: 'regulator-notice-approved',
  role: 'approve-disclosure',
  allowedRoles: ['legal'],
  approversNeeded: 1,
  requestedBy: 'olivia',
  draft,
  draftSha256: 'a'.repeat(64),
  outcome: 'pending',
  decisions: [],
});

/** The draft as an approver reads it: the sections' quoted text, unquoted and unescaped, joined. */
function shownDraft(blocks: ReturnType<typeof approvalBlocks>['blocks']): string {
  return blocks
    .filter((b) => b.type === 'section')
    .map((b) => (b as { text?: { text?: string } }).text?.text ?? '')
    .filter((text) => text.includes('>'))
    .map((text) => text.replace(/^\*Draft\*[^\n]*\n/, '').replace(/^>/, '').replace(/\n>/g, '\n'))
    .join('')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

describe('approval message in Slack', () => {
  it('shows a long disclosure draft whole, across sections Slack accepts, instead of cutting it at 2,900 characters', () => {
    const paragraph = 'We became aware on <date> that R&D records & customer e-mail addresses were copied. ';
    const draft = Array.from({ length: 90 }, (_, i) => `${i + 1}. ${paragraph}${i % 3 === 0 ? '\n\n' : ''}`).join('');
    assert.ok(draft.length > 7000);
    const { blocks } = approvalBlocks('incident/generic/abc', approval(draft), []);
    assert.equal(shownDraft(blocks), draft, 'every character of the approved draft is shown');
    assert.equal(slackRefusal('chat.postMessage', { blocks }), undefined);
  });

  it('says where to read the rest when a draft is longer than one message can hold', () => {
    const draft = 'x'.repeat(40_000);
    const { blocks } = approvalBlocks('incident/generic/abc', approval(draft), []);
    const warning = blocks.find((b) => b.type === 'context' && JSON.stringify(b).includes('continues for'));
    assert.ok(warning, 'the approver is told the draft continues');
    assert.match(JSON.stringify(warning), /firebreak incident incident\/generic\/abc/);
    assert.equal(slackRefusal('chat.postMessage', { blocks }), undefined);
  });

  it('is refused by the fake as by Slack when a section is over 3,000 characters or an input allows more than 3,000', () => {
    assert.equal(slackRefusal('chat.postMessage', { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }] })?.error, 'invalid_blocks');
    const input = { type: 'input', element: { type: 'plain_text_input', max_length: 4000 } };
    assert.equal(slackRefusal('views.open', { view: { type: 'modal', title: { type: 'plain_text', text: 'Approve' }, blocks: [input] } })?.error, 'invalid_blocks');
    assert.equal(slackRefusal('conversations.create', { name: 'Data breach: customers' })?.error, 'invalid_name_specials');
  });
});
