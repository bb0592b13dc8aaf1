import type { Alert, Severity } from '../../runbooks/schema/alert';
import type { DeadlineClock } from '../deadline-clocks/types';
import type { AttachmentRef } from '../notices/approval-hash';
import type { Actor, IncidentInput, StepResolution } from './messages';

export type StepState = 'running' | 'waiting' | 'done' | 'failed' | 'skipped' | 'rejected' | 'blocked' | 'compensated';

export interface StepRecord {
  id: string;
  kind: string;
  state: StepState;
  startedAt: string;
  endedAt?: string;
  /** What the step produced (ids, hashes, message ids): never secrets, never big bodies. */
  result?: unknown;
  error?: { type?: string; message: string };
}

export interface Decision {
  decision: 'approve' | 'reject';
  by: string;
  roles: string[];
  reason: string;
  at: string;
  /** SHA-256 of the draft the decider saw; an approval counts only for the draft it names. */
  draftSha256?: string;
  /** Decided by the incident commander for a role they do not hold. */
  override?: true;
}

export interface ApprovalRecord {
  stepId: string;
  role: string;
  /** Organisation roles that satisfy `role`, from the pinned runbook. */
  allowedRoles: string[];
  approversNeeded: number;
  requestedBy: string;
  requestedAt: string;
  decisions: Decision[];
  escalatedAt?: string;
  /** The exact text to approve, and its SHA-256 (with the attachments' when there are any): approvals must name this hash. */
  draft?: string;
  draftSha256?: string;
  /** Evidence the notice attaches, as the approvers are shown it; part of what `draftSha256` covers. */
  attachments?: AttachmentRef[];
}

export interface PendingInput {
  stepId: string;
  ask: string;
  type: string;
  choices?: string[];
  role: string;
  allowedRoles: string[];
}

export interface TimelineEntry {
  at: string;
  event: string;
  actor?: string;
  stepId?: string;
  detail?: string;
  /**
   * Named facts the audit record keeps as fields, for reports after Temporal's retention. Never alert content: the
   * audit log is append-only, so nothing personal may enter it (the title stays in the evidence store).
   */
  facts?: Record<string, string>;
}

export type IncidentPhase = 'running' | 'completed' | 'aborted' | 'failed';

export interface IncidentStatus {
  incidentId: string;
  title: string;
  severity: Severity;
  phase: IncidentPhase;
  openedBy: string;
  openedAt: string;
  closedAt?: string;
  /** The closed incident of the same alert fingerprint this one succeeds. */
  reopenedFrom?: string;
  runbook: { id: string; version: number; sha256: string };
  steps: StepRecord[];
  approvals: ApprovalRecord[];
  pendingInputs: PendingInput[];
  answers: Record<string, string | number | boolean>;
  /**
   * Every alert of the incident's fingerprint, summarised: how many, first and last received, the latest status, and
   * `lastFiringAt`, the latest `occurredAt` of a firing alert (a re-send of that episode after close opens nothing).
   */
  alerts: { count: number; firstSeenAt?: string; lastSeenAt?: string; status: Alert['status']; lastFiringAt?: string };
  timeline: TimelineEntry[];
  abort?: { by: string; reason: string; at: string };
  /** Deadline clocks started by `clock` steps, with every stage's due time and outcome; time left = dueAt - now. */
  clocks: DeadlineClock[];
  /** Progress of each `notify.email-batch` step by step id, as its activity last reported it (absent until one does). */
  batches?: Record<string, BatchProgress>;
}

/** One batch step's counts; `done` once the activity has been through the whole list. */
export interface BatchProgress {
  total: number;
  sent: number;
  alreadySent: number;
  failed: number;
  state: 'running' | 'done';
  updatedAt: string;
}

/** Delivery ids remembered for dedupe of repeat alerts; bounded so a flapping source can't grow history without end. */
export const SEEN_DELIVERY_LIMIT = 500;

export interface IncidentState {
  status: IncidentStatus;
  seenDeliveryIds: string[];
  /** Step results by id, the `steps` root of templates and conditions. */
  results: Record<string, unknown>;
  /** How many timeline entries have been published to the audit log. */
  published: number;
  /** How many timeline entries the Slack mirror has seen (absent until it first runs). */
  slackSynced?: number;
  /** Escalation emails in flight: the incident does not continue as new under them. */
  escalating?: number;
  /** Choices made for blocked steps, consumed by the step that waits for them. */
  resolutions: Record<string, StepResolution>;
}

/** Everything a continue-as-new hands to the next run: the state, and the undo actions still owed. */
export interface CarriedState {
  state: IncidentState;
  compensations: { stepId: string; compensation: { action: string; with: Record<string, unknown> } }[];
}

export function initialState(input: IncidentInput): IncidentState {
  if (input.carried) return input.carried.state;
  const { runbook, sha256 } = input.pinned;
  return {
    status: {
      incidentId: input.incidentId,
      title: input.title,
      severity: input.severity,
      phase: 'running',
      openedBy: actorName(input.openedBy),
      openedAt: input.openedAt,
      runbook: { id: runbook.id, version: runbook.version, sha256 },
      steps: [],
      approvals: [],
      pendingInputs: [],
      answers: {},
      alerts: {
        // A declaration gives its runbook an `alert` to read (see declaredAlert), but no alert was received.
        ...(input.alert && input.alert.source !== 'declared' ? { count: 1, firstSeenAt: input.alert.receivedAt, lastSeenAt: input.alert.receivedAt } : { count: 0 }),
        status: input.alert?.status ?? 'firing',
        ...(input.alert?.status === 'firing' && { lastFiringAt: input.alert.occurredAt }),
      },
      timeline: [
        { at: input.openedAt, event: 'incident.opened', actor: actorName(input.openedBy), detail: `runbook ${runbook.id} v${runbook.version}`, facts: { severity: input.severity } },
        ...(input.reopenedFrom ? [{ at: input.openedAt, event: 'incident.reopened_from', actor: actorName(input.openedBy), facts: { previous: input.reopenedFrom } }] : []),
      ],
      clocks: [],
      ...(input.reopenedFrom && { reopenedFrom: input.reopenedFrom }),
    },
    seenDeliveryIds: input.alert ? [input.alert.deliveryId] : [],
    results: {},
    published: 0,
    resolutions: {},
  };
}

export function actorName(actor: Actor): string {
  return actor.kind === 'person' ? actor.id : `${actor.kind}:${actor.id}`;
}

export function findStep(state: IncidentState, stepId: string): StepRecord | undefined {
  return state.status.steps.find((step) => step.id === stepId);
}

export function addTimeline(state: IncidentState, entry: TimelineEntry): void {
  state.status.timeline.push(entry);
}

/**
 * Records a repeat/resolved alert; returns false for a delivery already seen (a sender's retry). `summarise` (new
 * incidents) keeps repeats as counts and first/last times in `status.alerts`, adding a timeline entry only when the
 * alert's status changes: a storm of repeats then leaves the carried state the same size (every delivery is still in
 * the audit log, from the ingress). Without it (histories recorded before), every repeat was a timeline entry.
 */
export function recordAlert(state: IncidentState, alert: Pick<Alert, 'source' | 'deliveryId' | 'status' | 'occurredAt' | 'receivedAt'>, summarise = false): boolean {
  if (state.seenDeliveryIds.includes(alert.deliveryId)) return false;
  state.seenDeliveryIds.push(alert.deliveryId);
  if (state.seenDeliveryIds.length > SEEN_DELIVERY_LIMIT) state.seenDeliveryIds.shift();
  const alerts = state.status.alerts;
  const changed = alerts.status !== alert.status;
  alerts.count += 1;
  alerts.firstSeenAt ??= alerts.lastSeenAt ?? alert.receivedAt;
  alerts.lastSeenAt = alert.receivedAt;
  alerts.status = alert.status;
  if (alert.status === 'firing' && (alerts.lastFiringAt === undefined || Date.parse(alert.occurredAt) > Date.parse(alerts.lastFiringAt))) {
    alerts.lastFiringAt = alert.occurredAt;
  }
  if (!summarise || changed) {
    addTimeline(state, { at: alert.receivedAt, event: alert.status === 'resolved' ? 'alert.resolved' : 'alert.repeated', actor: `source:${alert.source}` });
  }
  return true;
}

/** The repeats summary as timeline facts (counts and times, never alert content), for the closing entry. */
export function alertFacts(state: IncidentState): Record<string, string> {
  const { count, firstSeenAt, lastSeenAt } = state.status.alerts;
  return { alerts: String(count), ...(firstSeenAt && { firstAlertAt: firstSeenAt }), ...(lastSeenAt && { lastAlertAt: lastSeenAt }) };
}
