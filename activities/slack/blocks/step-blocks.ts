import type { KnownBlock } from '@slack/web-api';
import { ActionId, stepButtonValue } from '../../../slack/action-ids';
import type { ApprovalSnapshot, InputSnapshot } from '../../../workflows/incident/slack-snapshot';
import { clip, escapeMrkdwn, shortTime, splitText } from './format';

const DECISION_ICON = { approve: ':white_check_mark: Approved', reject: ':no_entry: Rejected' } as const;

// 1,900 escaped characters stay under a section's 3,000 once every line is quoted with '>'.
const DRAFT_PART = 1900;
// A message holds 50 blocks; the draft may take this many and leaves room for the rest of the status.
const DRAFT_PARTS = 12;

/**
 * The draft an approver approves, whole: split across sections rather than cut, since the decision binds the hash of
 * all of it. A draft longer than the message can hold says so and where to read the rest, never a silent cut.
 */
function draftBlocks(incidentId: string, draft: string, sha256: string | undefined): KnownBlock[] {
  const parts = splitText(escapeMrkdwn(draft), DRAFT_PART);
  const shown = parts.slice(0, DRAFT_PARTS);
  const blocks: KnownBlock[] = shown.map((part, i) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: `${i === 0 ? `*Draft* (sha256 \`${(sha256 ?? '').slice(0, 12)}\`${parts.length > 1 ? `, in ${parts.length} parts` : ''})\n` : ''}>${part.replace(/\n/g, '\n>')}` },
  }));
  if (parts.length > shown.length) {
    const more = parts.slice(DRAFT_PARTS).join('').length;
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:warning: The draft continues for ${more} more characters, covered by the same approval: read it whole with \`firebreak incident ${escapeMrkdwn(incidentId)}\` or in the console before deciding.` }] });
  }
  return blocks;
}

/** An approval request: who may decide, with Approve/Reject buttons while it is pending, and every decision once made. */
export function approvalBlocks(incidentId: string, approval: ApprovalSnapshot, mentions: string[]): { text: string; blocks: KnownBlock[] } {
  const who = mentions.length > 0 ? mentions.join(' ') : approval.allowedRoles.map(escapeMrkdwn).join(', ');
  const needs = approval.approversNeeded > 1 ? ` (${approval.approversNeeded} distinct approvers)` : '';
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(`*Approval needed: ${approval.stepId}*${needs}\nRole *${escapeMrkdwn(approval.role)}*: ${who}\nRequested by ${escapeMrkdwn(approval.requestedBy)}; the requester cannot approve.`),
      },
    },
  ];
  if (approval.draft !== undefined) blocks.push(...draftBlocks(incidentId, approval.draft, approval.draftSha256));
  if (approval.attachments && approval.attachments.length > 0) {
    const files = approval.attachments.map((a) => `• \`${escapeMrkdwn(a.name)}\` (${a.size} bytes, sha256 \`${a.sha256.slice(0, 12)}\`, ${a.evidenceId})`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Attachments* (covered by the approval; a replaced file needs approving again)\n${files.join('\n')}`) } });
  }
  for (const d of approval.decisions) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(`${DECISION_ICON[d.decision]} by *${escapeMrkdwn(d.by)}* at ${shortTime(d.at)}: ${escapeMrkdwn(d.reason)}`) }] });
  }
  if (approval.escalatedAt && approval.outcome === 'pending') {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:rotating_light: escalated at ${shortTime(approval.escalatedAt)}` }] });
  }
  if (approval.outcome === 'pending') {
    const value = stepButtonValue({ incidentId, stepId: approval.stepId, ...(approval.draftSha256 && { draftSha256: approval.draftSha256 }) });
    blocks.push({
      type: 'actions',
      block_id: `approval:${approval.stepId}`,
      elements: [
        { type: 'button', action_id: ActionId.Approve, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value },
        { type: 'button', action_id: ActionId.Reject, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value },
      ],
    });
  } else {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `*${approval.outcome}*` }] });
  }
  return { text: `Approval ${approval.stepId}: ${approval.outcome}`, blocks };
}

/** An input request with an Answer button while waiting; the answer, who gave it and when once answered. */
export function inputBlocks(incidentId: string, input: InputSnapshot, ask: string, mentions: string[]): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*Question (${input.stepId})*: ${escapeMrkdwn(ask)}${mentions.length > 0 ? `\n${mentions.join(' ')}` : ''}`) } },
  ];
  if (input.answeredBy !== undefined) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(`Answered *${escapeMrkdwn(String(input.answer))}* by *${escapeMrkdwn(input.answeredBy)}* at ${shortTime(input.answeredAt)}`) }] });
  } else if (input.state === 'waiting') {
    blocks.push({
      type: 'actions',
      block_id: `input:${input.stepId}`,
      elements: [{ type: 'button', action_id: ActionId.Answer, style: 'primary', text: { type: 'plain_text', text: 'Answer' }, value: stepButtonValue({ incidentId, stepId: input.stepId, input: { type: input.type ?? 'text', ask, choices: input.choices } }) }],
    });
  } else {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `*${input.state}*` }] });
  }
  return { text: `Question ${input.stepId}: ${ask}`, blocks };
}

/** A step that failed under `onFailure: escalate`: blocked until someone chooses, or the choice that was made. */
export interface FailedStepView {
  stepId: string;
  blocked: boolean;
  /** The failure as the workflow recorded it; unknown when the entry that carried it never reached Slack. */
  failure?: string;
  resolution?: { choice: string; by?: string; at: string; reason?: string };
}

const CHOICE_TEXT: Record<string, string> = { retry: ':repeat: Retry', continue: ':fast_forward: Continue without it', abort: ':octagonal_sign: Abort incident' };

/**
 * Retry / Continue without it / Abort incident while the step is blocked, each opening a reason modal; who chose what
 * and why once someone has. Anyone holding a role in the runbook may choose; the incident commander is mentioned.
 */
export function failedStepBlocks(incidentId: string, step: FailedStepView, mentions: string[]): { text: string; blocks: KnownBlock[] } {
  const failure = step.failure !== undefined ? `>${escapeMrkdwn(step.failure).replace(/\n/g, '\n>')}` : '_the failure is on the incident timeline_';
  const ask = step.blocked ? `\nIt is blocked until someone chooses.${mentions.length > 0 ? ` ${mentions.join(' ')}` : ''}` : '';
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(`*Step failed: ${step.stepId}*\n${failure}${ask}`) } }];
  if (step.resolution && !step.blocked) {
    const { choice, by, at, reason } = step.resolution;
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(`${CHOICE_TEXT[choice] ?? choice} chosen by *${escapeMrkdwn(by ?? 'someone')}* at ${shortTime(at)}${reason ? `: ${escapeMrkdwn(reason)}` : ''}`) }] });
  }
  if (step.blocked) {
    const value = stepButtonValue({ incidentId, stepId: step.stepId });
    blocks.push({
      type: 'actions',
      block_id: `blocked:${step.stepId}`,
      elements: [
        { type: 'button', action_id: ActionId.Retry, style: 'primary', text: { type: 'plain_text', text: 'Retry' }, value },
        { type: 'button', action_id: ActionId.Continue, text: { type: 'plain_text', text: 'Continue without it' }, value },
        { type: 'button', action_id: ActionId.AbortIncident, style: 'danger', text: { type: 'plain_text', text: 'Abort incident' }, value },
      ],
    });
  }
  return { text: `Step ${step.stepId} ${step.blocked ? 'failed and needs a decision' : 'failed'}`, blocks };
}
