import { CancellationScope, condition, upsertMemo } from '@temporalio/workflow';
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
}

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
export function incidentSummary(status: IncidentStatus, people: ReadonlySet<string>): IncidentSummary {
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
  };
}

/**
 * Keeps the incident's summary memo current: written on the run's first activation and again in the activation where
 * it changed (one history event each time; repeat alerts change nothing in it). `flush` writes a change at once (the
 * close, which completes the run in the same activation). Not cancellable: an abort must still show in the memo.
 */
export function keepSummaryMemo(state: IncidentState): { flush(): void } {
  const people = new Set<string>();
  let read = 0;
  let written = '';
  let pending: IncidentSummary | undefined;
  const changed = (): boolean => {
    read = addParticipants(people, state.status, read);
    pending = incidentSummary(state.status, people);
    return JSON.stringify(pending) !== written;
  };
  const flush = (): void => {
    if (!changed() || !pending) return;
    written = JSON.stringify(pending);
    upsertMemo({ [SUMMARY_MEMO_KEY]: pending });
  };
  void new CancellationScope({ cancellable: false }).run(async () => {
    for (;;) {
      await condition(changed);
      flush();
    }
  });
  return { flush };
}
