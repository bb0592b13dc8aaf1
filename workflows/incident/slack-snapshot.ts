import type { RoleMap, Runbook } from '../../runbooks/schema/runbook';
import type { Step } from '../../runbooks/schema/step';
import { approvalOutcome } from '../runbook-interpreter/steps/approval';
import type { AttachmentRef } from '../notices/approval-hash';
import type { BatchProgress, Decision, IncidentState, StepState, TimelineEntry } from './state';

/** One approval as the Slack message for it needs it. */
export interface ApprovalSnapshot {
  stepId: string;
  role: string;
  allowedRoles: string[];
  approversNeeded: number;
  requestedBy: string;
  escalatedAt?: string;
  /** The text being approved and its hash: an approval counts only for the draft it names. */
  draft?: string;
  draftSha256?: string;
  /** Files the notice attaches; their hashes are part of `draftSha256`. */
  attachments?: AttachmentRef[];
  outcome: 'approved' | 'rejected' | 'pending';
  decisions: Omit<Decision, 'roles'>[];
}

/** One input step, pending (with its question) or answered (with who answered). */
export interface InputSnapshot {
  stepId: string;
  state: StepState;
  ask?: string;
  type?: string;
  choices?: string[];
  role?: string;
  allowedRoles?: string[];
  answer?: string | number | boolean;
  answeredBy?: string;
  answeredAt?: string;
}

/** What Slack shows of an incident: small and free of alert bodies, results and secrets. */
export interface IncidentSnapshot {
  incidentId: string;
  title: string;
  severity: string;
  phase: string;
  openedBy: string;
  openedAt: string;
  closedAt?: string;
  runbook: { id: string; version: number };
  /** Runbook role → organisation roles: who is invited and who is mentioned. */
  roles: RoleMap;
  steps: { id: string; kind: string; state: StepState }[];
  /** Every leaf step of the runbook in document order, so the status can name what comes next. */
  plan: { id: string; kind: string }[];
  approvals: ApprovalSnapshot[];
  inputs: InputSnapshot[];
  /** Deadline clocks when the workflow keeps them (shown as they are). */
  clocks?: unknown;
  /** Notice batches by step id: counts only, never the addresses. */
  batches?: Record<string, BatchProgress>;
  abort?: { by: string; reason: string; at: string };
}

export interface SlackSyncRequest {
  incidentId: string;
  /** Position of `entries[0]` in the timeline: with the incident id, the key of the thread reply for this batch. */
  from: number;
  entries: TimelineEntry[];
  snapshot: IncidentSnapshot;
}

function answers(timeline: readonly TimelineEntry[]): Map<string, TimelineEntry> {
  const byStep = new Map<string, TimelineEntry>();
  for (const entry of timeline) if (entry.event === 'input.answered' && entry.stepId) byStep.set(entry.stepId, entry);
  return byStep;
}

/** The parts of the pinned runbook the Slack view needs, computed once per run. */
export interface RunbookOutline {
  roles: RoleMap;
  plan: { id: string; kind: string }[];
}

function leaves(steps: readonly Step[], into: { id: string; kind: string }[]): { id: string; kind: string }[] {
  for (const step of steps) {
    if (step.kind === 'sequence') leaves(step.steps, into);
    else if (step.kind === 'when') leaves([...step.steps, ...step.otherwise], into);
    else if (step.kind === 'parallel') for (const branch of step.branches) leaves(branch, into);
    else into.push({ id: step.id, kind: step.kind });
  }
  return into;
}

export function runbookOutline(runbook: Pick<Runbook, 'roles' | 'steps'> | undefined): RunbookOutline {
  return { roles: runbook?.roles ?? {}, plan: runbook ? leaves(runbook.steps, []) : [] };
}

export function incidentSnapshot(state: IncidentState, outline: RunbookOutline): IncidentSnapshot {
  const status = state.status;
  const answered = answers(status.timeline);
  const inputs: InputSnapshot[] = status.steps
    .filter((step) => step.kind === 'input')
    .map((step) => {
      const pending = status.pendingInputs.find((p) => p.stepId === step.id);
      const answer = answered.get(step.id);
      return {
        stepId: step.id,
        state: step.state,
        ...(pending && { ask: pending.ask, type: pending.type, choices: pending.choices, role: pending.role, allowedRoles: pending.allowedRoles }),
        ...(answer && { answer: status.answers[step.id], answeredBy: answer.actor, answeredAt: answer.at }),
      };
    });
  const clocks = (status as { clocks?: unknown }).clocks;
  return {
    incidentId: status.incidentId,
    title: status.title,
    severity: status.severity,
    phase: status.phase,
    openedBy: status.openedBy,
    openedAt: status.openedAt,
    closedAt: status.closedAt,
    runbook: { id: status.runbook.id, version: status.runbook.version },
    roles: outline.roles,
    plan: outline.plan,
    steps: status.steps.map((step) => ({ id: step.id, kind: step.kind, state: step.state })),
    approvals: status.approvals.map((a) => ({
      stepId: a.stepId,
      role: a.role,
      allowedRoles: a.allowedRoles,
      approversNeeded: a.approversNeeded,
      requestedBy: a.requestedBy,
      escalatedAt: a.escalatedAt,
      draft: a.draft,
      draftSha256: a.draftSha256,
      ...(a.attachments && { attachments: a.attachments }),
      outcome: approvalOutcome(a),
      decisions: a.decisions.map(({ decision, by, reason, at, draftSha256 }) => ({ decision, by, reason, at, draftSha256 })),
    })),
    inputs,
    ...(clocks !== undefined && { clocks }),
    ...(status.batches && { batches: status.batches }),
    abort: status.abort,
  };
}
