import { CancellationScope, condition, upsertMemo } from '@temporalio/workflow';
import { isPatched } from '../release';
import type { IncidentPhase, IncidentState, IncidentStatus } from './state';
import { type Waiting, waitingOn } from './waiting';

/** The memo key of the summary below (beside `listing`, set at start). */
export const SUMMARY_MEMO_KEY = 'summary';

/**
 * What an incident's list row shows, kept in its memo by the workflow whenever it changes, so a list is drawn from
 * Temporal's visibility store alone (one call per page) instead of a status query per row. The payload codec encrypts
 * it like every payload. Bounded, so a memo stays small whatever the runbook does.
 */
export interface IncidentSummary {
  title: string;
  severity: string;
  runbook: { id: string; version: number };
  phase: IncidentPhase;
  openedBy: string;
  openedAt: string;
  /** What it waits on a person for, and whom (see `waitingOn`). */
  waiting: Pick<Waiting, 'stepId' | 'kind' | 'what' | 'allowedRoles'>[];
  /** Every running clock stage with its due time: a list counts them down without asking the incident. */
  clocks: { clockId: string; stage: string; dueAt: string }[];
  /** Everyone who took part (see `addParticipants`): the read policy lets them see the incident. */
  people: string[];
  /**
   * Alert deliveries counted so far and whether the alert fires (incidents from before patch `incident-summary-alerts`
   * leave it out). The count may lag during a storm: see `COUNT_THROTTLE_MS`.
   */
  alerts?: Pick<IncidentStatus['alerts'], 'count' | 'status' | 'lastSeenAt'>;
}

/**
 * A storm's repeats only move the count, and writing the memo for each would add a history event per repeat: a count
 * that alone changed is written at most once a minute (a timer wakes the writer), at once with any other change (the
 * alert's status included) and on every run's first activation, so after a roll-over and at the close it is exact.
 */
const COUNT_THROTTLE_MS = 60_000;
/** Workflow time (the SDK makes `Date` replay-safe), in milliseconds. */
const nowMs = (): number => new Date().getTime();

const MAX_ITEMS = 20;
const MAX_PEOPLE = 200;
const MAX_TEXT = 300;
const cut = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text);

/**
 * Adds everyone who acted in the incident to `people`: who opened it, requested or decided an approval, or appears on
 * its timeline from entry `from` on (approvals are always read whole: decisions are added to them in place). Returns
 * how far the timeline was read, so a caller keeping the set reads each entry once.
 */
export function addParticipants(people: Set<string>, status: Pick<IncidentStatus, 'openedBy' | 'approvals' | 'timeline'>, from = 0): number {
  people.add(status.openedBy);
  for (const approval of status.approvals) {
    people.add(approval.requestedBy);
    for (const decision of approval.decisions) people.add(decision.by);
  }
  for (let i = from; i < status.timeline.length; i++) {
    const actor = status.timeline[i]!.actor;
    if (actor) people.add(actor);
  }
  return status.timeline.length;
}

/** The summary of a status, with its participants already gathered. */
export function incidentSummary(status: IncidentStatus, people: ReadonlySet<string>, alertCounts = false): IncidentSummary {
  const { count, status: firing, lastSeenAt } = status.alerts;
  return {
    title: cut(status.title),
    severity: status.severity,
    runbook: { id: status.runbook.id, version: status.runbook.version },
    phase: status.phase,
    openedBy: status.openedBy,
    openedAt: status.openedAt,
    waiting: waitingOn(status)
      .slice(0, MAX_ITEMS)
      .map((w) => ({ stepId: w.stepId, kind: w.kind, what: cut(w.what), allowedRoles: w.allowedRoles })),
    clocks: status.clocks
      .flatMap((c) => c.stages.filter((s) => s.state === 'running' && s.dueAt).map((s) => ({ clockId: c.id, stage: cut(s.title || s.stageId), dueAt: s.dueAt! })))
      .slice(0, MAX_ITEMS),
    people: [...people].slice(0, MAX_PEOPLE),
    ...(alertCounts && { alerts: { count, status: firing, ...(lastSeenAt && { lastSeenAt }) } }),
  };
}

/** What makes a write due at once: the summary without the count and the time of the last repeat. */
function withoutCount(summary: IncidentSummary): string {
  const { alerts, ...rest } = summary;
  return JSON.stringify(alerts ? { ...rest, alertStatus: alerts.status } : rest);
}

/**
 * Keeps the incident's summary memo current: written on the run's first activation and again in the activation where
 * it changed (one history event each time); a changed alert count alone is throttled (`COUNT_THROTTLE_MS`). `flush`
 * writes a change at once (the close, which completes the run in the same activation). Not cancellable: an abort must
 * still show in the memo.
 */
export function keepSummaryMemo(state: IncidentState, scoped: 'own-scope' | 'current-scope' = 'own-scope'): { flush(): void } {
  // Histories recorded before the count was in the memo replay with it left out (it would change when writes happen).
  const alertCounts = isPatched('incident-summary-alerts');
  const people = new Set<string>();
  let read = 0;
  let written = '';
  let writtenCount: number | undefined;
  let writtenAt = 0;
  let pending!: IncidentSummary;
  const changed = (): boolean => {
    read = addParticipants(people, state.status, read);
    pending = incidentSummary(state.status, people, alertCounts);
    return withoutCount(pending) !== written;
  };
  const countBehind = (): boolean => alertCounts && state.status.alerts.count !== writtenCount;
  const flush = (): void => {
    if (!changed() && !countBehind()) return;
    written = withoutCount(pending);
    writtenCount = pending.alerts?.count;
    writtenAt = nowMs();
    upsertMemo({ [SUMMARY_MEMO_KEY]: pending });
  };
  const keep = async (): Promise<void> => {
    for (;;) {
      await condition(() => changed() || countBehind());
      const wait = writtenAt + COUNT_THROTTLE_MS - nowMs();
      // Only the count moved since a recent write: wait out the throttle, unless something else changes first.
      if (!changed() && wait > 0) await condition(changed, wait);
      flush();
    }
  };
  // 'current-scope' (incidents since incident-2026-12c): started inside the non-cancellable scope the timeline publisher
  // runs in, instead of a scope of its own (whose promises the SDK would track for the incident's whole life).
  void (scoped === 'current-scope' ? keep() : new CancellationScope({ cancellable: false }).run(keep));
  return { flush };
}
