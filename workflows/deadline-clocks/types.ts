/*
 * Deadline clocks as the incident records them. Due times are computed by the `deadlines.compute` activity (the
 * catalogue and its calendars need luxon and file I/O); the workflow only keeps the ISO results and runs timers.
 */

/** What `deadlines.compute` is asked: one obligation, from the trigger time a person stated. */
export interface ComputeDeadlinesRequest {
  obligationId: string;
  /** The trigger anchor's time (ISO-8601 with offset), e.g. the awareness time given in an input. */
  at: string;
  /** Other anchors by name (`awareness`, `classification`, ...), ISO with offset. */
  anchors?: Record<string, string>;
  /** Catalogue facts; numeric and true/false strings are read as numbers and booleans. */
  facts?: Record<string, string | number | boolean>;
  /** Actual submission times of earlier stages, by stage id. */
  submissions?: Record<string, string>;
  /** When set, only the stages chained from this submission come back, recomputed from its actual time. */
  submitted?: { stageId: string; at: string };
}

export type ComputedStageKind = 'deadline' | 'open' | 'pending' | 'not-applicable';

export interface ComputedStage {
  stageId: string;
  title: string;
  kind: ComputedStageKind;
  /** ISO UTC; for `open` duties the internal target, not a legal deadline. */
  dueAt?: string;
  /** The deadline before a working-day relief moved it. */
  strictDueAt?: string;
  /** An earlier stage it chains from has not been submitted; its deadline stood in. */
  projected: boolean;
  /** When this stage's time started running (anchor or prior submission): the base of percentage reminders. */
  startsAt?: string;
  /** The stage whose actual submission starts this one. */
  chainsFrom?: string;
  reasoning: string[];
}

export interface ComputeDeadlinesResult {
  obligationId: string;
  title: string;
  recipient: string;
  zone: string;
  stages: ComputedStage[];
}

export type ComputeDeadlines = (request: ComputeDeadlinesRequest) => Promise<ComputeDeadlinesResult>;

/** What `deadlines.compute-all` answers: each request's result in order, up to the first one refused. */
export interface ComputeAllDeadlinesResult {
  computed: ComputeDeadlinesResult[];
  /** The first request refused (unknown or disabled obligation, bad time), with the type `deadlines.compute` throws. */
  refused?: { obligationId: string; type: string; message: string };
}

export type ComputeAllDeadlines = (request: { requests: ComputeDeadlinesRequest[] }) => Promise<ComputeAllDeadlinesResult>;

/**
 * - `running`: counting down, reminders armed.
 * - `projected`: waits for the stage it chains from; recomputed from that stage's actual submission.
 * - `pending`: an anchor it needs was never recorded.
 * - `on-time` / `late`: submitted (the step that sends the notice completed).
 * - `stopped`: ended by a person with a reason, without a submission.
 */
export type ClockStageState = 'running' | 'projected' | 'pending' | 'not-applicable' | 'on-time' | 'late' | 'stopped';

export interface ClockStage extends ComputedStage {
  state: ClockStageState;
  submittedAt?: string;
  /** Submitted after `dueAt` by this much. */
  lateByMs?: number;
  /** Submitted before `dueAt` with this much to spare. */
  spareMs?: number;
  /** The near-deadline escalation has fired and the stage is still running. */
  atRisk?: boolean;
  missed?: boolean;
  /** Alarm ids already fired (or skipped because they had passed when the clock started). */
  alarms: string[];
}

export interface ClockPolicy {
  /** Fractions of each stage's time used. */
  remindAt: number[];
  remindBeforeMs: number[];
  escalateTo: string;
  /** Escalate as "near" when this little time is left. */
  nearLeftMs: number;
}

export interface DeadlineClock {
  /** The obligation id (`gdpr-art33-sa`); one clock per obligation per incident. */
  id: string;
  title: string;
  recipient: string;
  zone: string;
  state: 'running' | 'stopped';
  /** The trigger time a person stated, not the moment the step ran. */
  triggeredAt: string;
  startedAt: string;
  startedBy: string;
  /** Why: the reason the runbook gives, or the step that started it. */
  reason: string;
  stepId: string;
  anchors: Record<string, string>;
  facts: Record<string, string | number | boolean>;
  policy: ClockPolicy;
  stages: ClockStage[];
  stoppedAt?: string;
  stoppedBy?: string;
  stopReason?: string;
  /** Bumped on every change the clock's timer loop must see (submission, stop). */
  revision: number;
}
