import type { KnownBlock } from '@slack/web-api';
import { ActionId, stepButtonValue } from '../../../slack/action-ids';
import type { ApprovalSnapshot, InputSnapshot } from '../../../workflows/incident/slack-snapshot';
import { clip, escapeMrkdwn, shortTime } from './format';

const DECISION_ICON = { approve: ':white_check_mark: Approved', reject: ':no_entry: Rejected' } as const;

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
  if (approval.draft !== undefined) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Draft* (sha256 \`${(approval.draftSha256 ?? '').slice(0, 12)}\`)\n>${escapeMrkdwn(approval.draft).replace(/\n/g, '\n>')}`) } });
  }
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
