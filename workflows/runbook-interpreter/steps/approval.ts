import { condition } from '@temporalio/workflow';
import type { ApprovalStep } from '../../../runbooks/schema/step';
import { renderTemplate } from '../../../runbooks/template';
import { type ApprovalRecord, addTimeline } from '../../incident/state';
import { sha256Hex } from '../../notices/sha256';
import { type RunContext, type StepOutcome, allowedRoles, finishStep, now, remainingMs, startStep, templateScope } from '../context';

export function approvalOutcome(approval: ApprovalRecord): 'approved' | 'rejected' | 'pending' {
  if (approval.decisions.some((d) => d.decision === 'reject')) return 'rejected';
  // Only approvals of the current draft count: a changed draft needs approving again.
  const approvers = new Set(approval.decisions.filter((d) => d.decision === 'approve' && d.draftSha256 === approval.draftSha256).map((d) => d.by));
  return approvers.size >= approval.approversNeeded ? 'approved' : 'pending';
}

/**
 * Waits for enough distinct approvers holding the role (decisions arrive through decideUpdate, whose validator
 * enforces role and separation of duties). On timeout the escalation role is told and the wait goes on.
 * A rejection halts the rest of the enclosing sequence: the gated disclosure does not happen.
 */
export async function runApproval(step: ApprovalStep, ctx: RunContext): Promise<StepOutcome> {
  const record = startStep(ctx, step.id, 'approval', 'waiting');
  const carried = ctx.state.status.approvals.find((a) => a.stepId === step.id);
  const approval: ApprovalRecord = carried ?? {
    stepId: step.id,
    role: step.role,
    allowedRoles: allowedRoles(ctx, step.role),
    approversNeeded: step.approvers,
    requestedBy: ctx.state.status.openedBy,
    requestedAt: record.startedAt,
    decisions: [],
  };
  if (step.draft && !carried) {
    approval.draft = renderTemplate(step.draft, templateScope(ctx), { missing: 'empty' });
    approval.draftSha256 = sha256Hex(approval.draft);
    record.result = { draft: approval.draft, draftSha256: approval.draftSha256 };
  }
  if (!carried) ctx.state.status.approvals.push(approval);
  const decided = () => approvalOutcome(approval) !== 'pending';
  if (step.timeout && !approval.escalatedAt && !(await condition(decided, remainingMs(approval.requestedAt, step.timeout)))) {
    approval.escalatedAt = now();
    addTimeline(ctx.state, { at: approval.escalatedAt, event: 'approval.escalated', stepId: step.id, detail: step.escalate ?? step.role });
  }
  await condition(decided);
  const outcome = approvalOutcome(approval);
  finishStep(ctx, record, outcome === 'approved' ? 'done' : 'rejected', { result: { ...(record.result as object), outcome, decisions: approval.decisions } });
  ctx.state.results[step.id] = { outcome, approvers: approval.decisions.map((d) => d.by) };
  return outcome === 'approved' ? 'ok' : 'halt';
}
