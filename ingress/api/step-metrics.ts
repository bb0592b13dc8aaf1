import { Gauge, type Registry } from 'prom-client';
import type { IncidentStatus, StepRecord } from '../../workflows/incident/state';

/*
 * Open and stuck steps in /metrics, from the same per-scrape read of running incidents' status as the deadline clocks
 * (clock-metrics.ts): the step's state lives in its incident workflow, nowhere else. Incidents that read could not
 * reach are counted in `firebreak_deadline_clocks_unread_incidents`, which therefore also says how far these undercount.
 */

/** Steps that wait on a machine or a person; containers (parallel, sequence, when, runbook) are counted by their children. */
const WATCHED = { action: 'running', approval: 'waiting', input: 'waiting', wait: 'waiting' } as const;
type WatchedKind = keyof typeof WATCHED;

/**
 * How long a step may stay open before it counts as stuck. An action whose worker died is retried within seconds
 * (heartbeats), and default attempts are minutes long, so a quarter of an hour still running means a vendor that keeps
 * failing or an attempt that hangs. People get a day: the runbook's own escalation (`timeout`/`escalate`) acts sooner.
 * A `wait` step is a timer that ends when it was told to: never stuck.
 */
export const STUCK_AFTER_MS: Record<Exclude<WatchedKind, 'wait'>, number> = { action: 15 * 60_000, approval: 24 * 3_600_000, input: 24 * 3_600_000 };

export interface StepCounts {
  open: Record<WatchedKind, number>;
  stuck: Record<Exclude<WatchedKind, 'wait'>, number>;
  /** Seconds the oldest open step of each kind has been open; absent when none is. */
  oldestSeconds: Partial<Record<WatchedKind, number>>;
}

const isWatched = (step: StepRecord): step is StepRecord & { kind: WatchedKind } => step.kind in WATCHED && WATCHED[step.kind as WatchedKind] === step.state;

export function countSteps(statuses: readonly Pick<IncidentStatus, 'steps'>[], nowMs: number): StepCounts {
  const counts: StepCounts = { open: { action: 0, approval: 0, input: 0, wait: 0 }, stuck: { action: 0, approval: 0, input: 0 }, oldestSeconds: {} };
  for (const step of statuses.flatMap((status) => status.steps)) {
    if (!isWatched(step)) continue;
    const openMs = Math.max(0, nowMs - Date.parse(step.startedAt));
    counts.open[step.kind] += 1;
    counts.oldestSeconds[step.kind] = Math.max(counts.oldestSeconds[step.kind] ?? 0, Math.round(openMs / 1000));
    if (step.kind !== 'wait' && openMs > STUCK_AFTER_MS[step.kind]) counts.stuck[step.kind] += 1;
  }
  return counts;
}

/** Adds `firebreak_steps_open{kind}`, `firebreak_steps_stuck{kind}` and `firebreak_steps_oldest_open_seconds{kind}`. */
export function registerStepMetrics(registry: Registry, runningStatuses: () => Promise<IncidentStatus[]>): void {
  // Unreachable visibility: no series (not zeros that read as "nothing stuck"); the three share the scrape's one read.
  const read = () => runningStatuses().then((statuses) => countSteps(statuses, Date.now()), () => undefined);
  const gauge = (name: string, help: string, pick: (counts: StepCounts) => Partial<Record<string, number>>) =>
    new Gauge({
      name,
      help,
      labelNames: ['kind'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const counts = await read();
        if (counts) for (const [kind, value] of Object.entries(pick(counts))) if (value !== undefined) this.set({ kind }, value);
      },
    });
  gauge('firebreak_steps_open', 'Open steps of running incidents by kind: actions running, approvals, inputs and waits waiting', (c) => c.open);
  gauge('firebreak_steps_stuck', `Steps open past their kind's limit: actions running over 15 minutes, approvals and inputs waiting over 24 hours`, (c) => c.stuck);
  gauge('firebreak_steps_oldest_open_seconds', 'Seconds the oldest open step of each kind has been open', (c) => c.oldestSeconds);
}
