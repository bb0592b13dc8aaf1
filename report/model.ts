import type { AuditProblem, AuditRecord, Checkpoint } from '../audit';
import type { CustodyEvent, EvidenceItem } from '../evidence';

/** One step as the audit log saw it: started, and how it ended. */
export interface ReportStep {
  id: string;
  kind?: string;
  startedAt?: string;
  endedAt?: string;
  outcome?: string;
}

/** A decision by a person, or a refusal of one (with the refusal code as the reason). */
export interface ReportDecision {
  stepId?: string;
  decision: string;
  by: string;
  reason?: string;
  at: string;
}

/** One stage of a deadline clock, from the incident status when Temporal still has it, else from clock records. */
export interface ReportClock {
  clock: string;
  stage?: string;
  dueAt?: string;
  state: string;
  startedAt?: string;
  metAt?: string;
  lateByMs?: number;
  detail?: string;
}

export interface ReportNotice {
  stepId?: string;
  channel: string;
  to: string[];
  messageId?: string;
  textSha256?: string;
  at: string;
}

export interface ReportEvidence extends EvidenceItem {
  custody: CustodyEvent[];
}

export interface ReportVerification {
  ok: boolean;
  /** Records in the whole log (the chain the incident's records belong to). */
  records: number;
  checkpoints: number;
  problems: AuditProblem[];
  /** The first checkpoint whose size covers the incident's last record: proof it was not rewritten later. */
  coveringCheckpoint?: Pick<Checkpoint, 'size' | 'head' | 'at'>;
  publicKeyId: string;
}

/** Everything a post-incident report says, built from the audit log and evidence store (and the status if present). */
export interface IncidentReport {
  incidentId: string;
  generatedAt: string;
  summary: {
    title?: string;
    severity?: string;
    runbook?: string;
    openedAt?: string;
    openedBy?: string;
    closedAt?: string;
    outcome: string;
    alerts?: number;
    /** Where the summary came from: `temporal` (live status) or `audit` (the incident is gone from Temporal). */
    source: 'temporal' | 'audit';
  };
  timeline: AuditRecord[];
  steps: ReportStep[];
  decisions: ReportDecision[];
  answers: ReportDecision[];
  evidence: ReportEvidence[];
  clocks: ReportClock[];
  notices: ReportNotice[];
  verification: ReportVerification;
  /** The runbook picture: SVG when Graphviz rendered it, else Mermaid text. */
  runbookGraph?: { svg?: string; mermaid: string };
}
