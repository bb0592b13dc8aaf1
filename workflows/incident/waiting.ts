import type { IncidentStatus } from './state';

/** One thing an incident waits for a person to do: which step, for whom, and what it is. */
export interface Waiting {
  stepId: string;
  kind: 'approval' | 'input' | 'blocked';
  /** The runbook role, and the organisation roles that hold it. */
  role: string;
  allowedRoles: string[];
  what: string;
}

/** What the incident waits on and for whom: approvals still pending, questions unanswered, steps blocked on a failure. */
export function waitingOn(status: IncidentStatus): Waiting[] {
  if (status.phase !== 'running') return [];
  const out: Waiting[] = [];
  for (const a of status.approvals) {
    const approved = new Set(a.decisions.filter((d) => d.decision === 'approve' && d.draftSha256 === a.draftSha256).map((d) => d.by));
    if (a.decisions.some((d) => d.decision === 'reject') || approved.size >= a.approversNeeded) continue;
    if (!status.steps.some((s) => s.id === a.stepId && s.state === 'waiting')) continue;
    const count = a.approversNeeded > 1 ? ` (${approved.size} of ${a.approversNeeded})` : '';
    out.push({ stepId: a.stepId, kind: 'approval', role: a.role, allowedRoles: a.allowedRoles, what: `approval by ${a.allowedRoles.join(' or ')}${count}, requested by ${a.requestedBy}` });
  }
  for (const p of status.pendingInputs) out.push({ stepId: p.stepId, kind: 'input', role: p.role, allowedRoles: p.allowedRoles, what: `answer by ${p.allowedRoles.join(' or ')}: ${p.ask}` });
  for (const s of status.steps.filter((step) => step.state === 'blocked')) {
    out.push({ stepId: s.id, kind: 'blocked', role: 'incident-commander', allowedRoles: [], what: `failed (${s.error?.type ?? 'error'}): retry, continue or abort` });
  }
  return out;
}
