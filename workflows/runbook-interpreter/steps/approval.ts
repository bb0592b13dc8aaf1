import { ApplicationFailure, condition, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import type { ApprovalStep } from '../../../runbooks/schema/step';
import { renderTemplate } from '../../../runbooks/template';
import { liveness } from '../../activity-liveness';
import { FailureType } from '../../failure-types';
import { notifyEscalation } from '../../incident/escalation-notice';
import { type ApprovalRecord, type StepRecord, addTimeline } from '../../incident/state';
import { type AttachmentRef, approvalSha256, sameAttachments } from '../../notices/approval-hash';
import { type RunContext, type StepOutcome, allowedRoles, finishStep, now, remainingMs, startStep, templateScope } from '../context';

// A listing of the incident's evidence metadata: seconds at most. Attempts that outlive it are stuck, not slow; with the
// heartbeat timeout a step whose worker died is retried within seconds, not after the whole attempt timeout.
const RESOLVE_ATTACHMENTS_OPTIONS = { startToCloseTimeout: '20s', retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 20 } } as const;
type ResolveAttachments = Pick<Activities, 'notify.resolve-attachments'>;

function resolveAttachments(input: Parameters<ResolveAttachments['notify.resolve-attachments']>[0]) {
  return proxyActivities<ResolveAttachments>({ ...RESOLVE_ATTACHMENTS_OPTIONS, ...liveness('resolve-attachments-heartbeat') })['notify.resolve-attachments'](input);
}

/**
 * The evidence the step's attachments name, as it is now. A name the incident has no evidence for fails the step:
 * nobody should approve, and nothing should send, a notice without the file it promises.
 */
async function currentAttachments(step: ApprovalStep & { attachments: string[] }, ctx: RunContext, record: StepRecord): Promise<AttachmentRef[]> {
  const { attachments, missing } = await resolveAttachments({ incidentId: ctx.input.incidentId, stepId: step.id, names: step.attachments });
  if (missing.length === 0) return attachments;
  const message = `approval ${step.id}: attachment ${missing.map((name) => `"${name}"`).join(', ')} is not evidence of this incident; add it (firebreak evidence add) and run the runbook again`;
  finishStep(ctx, record, 'failed', { error: { type: FailureType.AttachmentMissing, message } });
  throw ApplicationFailure.nonRetryable(message, 'runbook.step_failed');
}

function showDraft(approval: ApprovalRecord, record: StepRecord): void {
  approval.draftSha256 = approvalSha256(approval.draft, approval.attachments);
  record.result = { draft: approval.draft, draftSha256: approval.draftSha256, ...(approval.attachments && { attachments: approval.attachments }) };
}

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
  const attached = step.attachments ? { ...step, attachments: step.attachments } : undefined;
  if ((step.draft || attached) && !carried) {
    if (step.draft) approval.draft = renderTemplate(step.draft, templateScope(ctx), { missing: 'empty' });
    // Read before the approval is listed: nobody can approve before the files it covers are known.
    if (attached) approval.attachments = await currentAttachments(attached, ctx, record);
    showDraft(approval, record);
  }
  if (!carried) ctx.state.status.approvals.push(approval);
  const decided = () => approvalOutcome(approval) !== 'pending';
  if (step.timeout && !approval.escalatedAt && !(await condition(decided, remainingMs(approval.requestedAt, step.timeout)))) {
    approval.escalatedAt = now();
    addTimeline(ctx.state, { at: approval.escalatedAt, event: 'approval.escalated', stepId: step.id, detail: step.escalate ?? step.role });
    await notifyEscalation(ctx, step.id, step.escalate ?? step.role, `Approval ${step.id}`);
  }
  for (;;) {
    await condition(decided);
    if (!attached || approvalOutcome(approval) !== 'approved') break;
    // Evidence can be replaced while people decide: approvals count only for the files as they are when it is approved.
    const current = await currentAttachments(attached, ctx, record);
    if (sameAttachments(current, approval.attachments ?? [])) break;
    const changed = current.filter((a) => !approval.attachments?.some((b) => b.name === a.name && b.sha256 === a.sha256)).map((a) => a.name);
    approval.attachments = current;
    showDraft(approval, record);
    addTimeline(ctx.state, { at: now(), event: 'approval.draft_changed', stepId: step.id, detail: `attachment changed: ${changed.join(', ')}; approve again` });
  }
  const outcome = approvalOutcome(approval);
  finishStep(ctx, record, outcome === 'approved' ? 'done' : 'rejected', { result: { ...(record.result as object), outcome, decisions: approval.decisions } });
  ctx.state.results[step.id] = { outcome, approvers: approval.decisions.map((d) => d.by), ...(approval.attachments && { attachments: approval.attachments }) };
  return outcome === 'approved' ? 'ok' : 'halt';
}
