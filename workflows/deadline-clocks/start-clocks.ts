import { ApplicationFailure } from '@temporalio/workflow';
import { isPatched, onRelease } from '../release';
import type { ClockStep } from '../../runbooks/schema/step';
import { renderValue } from '../../runbooks/template';
import { addTimeline, type IncidentState } from '../incident/state';
import { durationMs } from './durations';
import { findClock, trackedStage } from './clock-records';
import { computeAllDeadlines, computeDeadlines } from './compute-proxy';
import { fireDueAlarms, superviseClock, superviseClocks } from './supervisor';
import type { ClockPolicy, ComputeAllDeadlinesResult, ComputeDeadlinesRequest, ComputeDeadlinesResult, DeadlineClock } from './types';

export const DEFAULT_POLICY: ClockPolicy = { remindAt: [0.5, 0.75, 0.9], remindBeforeMs: [3_600_000], escalateTo: 'incident-commander', nearLeftMs: 3_600_000 };

export function policyOf(step: Pick<ClockStep, 'remind' | 'escalate'>): ClockPolicy {
  return {
    remindAt: step.remind?.at ?? DEFAULT_POLICY.remindAt,
    remindBeforeMs: step.remind?.before?.map(durationMs) ?? DEFAULT_POLICY.remindBeforeMs,
    escalateTo: step.escalate?.to ?? DEFAULT_POLICY.escalateTo,
    nearLeftMs: step.escalate?.whenLeft ? durationMs(step.escalate.whenLeft) : DEFAULT_POLICY.nearLeftMs,
  };
}

/** Renders a map of templates; references to values nobody has given yet are dropped rather than sent as ''. */
function renderMap<T>(map: Record<string, T> | undefined, scope: Record<string, unknown>): Record<string, string | number | boolean> {
  const rendered = renderValue(map ?? {}, scope, { missing: 'empty' }) as Record<string, unknown>;
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(rendered)) {
    if (typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && value !== '')) out[key] = value;
  }
  return out;
}

/** Who stated the trigger time: the person who answered the input `at` reads, else Firebreak on the runbook's behalf. */
function statedBy(state: IncidentState, atTemplate: string | undefined): string {
  const answer = atTemplate ? /^\{\{\s*answers\.([a-z][a-z0-9-]*)\s*\}\}$/.exec(atTemplate)?.[1] : undefined;
  const entry = answer ? state.status.timeline.find((t) => t.event === 'input.answered' && t.stepId === answer) : undefined;
  return entry?.actor ?? 'system:firebreak';
}

const settled = <T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> =>
  promise.then((value) => ({ status: 'fulfilled', value }), (reason: unknown) => ({ status: 'rejected', reason }));

/**
 * One obligation's outcome in a settled `deadlines.compute-all` call, like `compute`'s: the refused one (and those after
 * it, which were not computed) rejected with the type `deadlines.compute` would have failed with.
 */
function outcomeOf(all: PromiseSettledResult<ComputeAllDeadlinesResult>, index: number): PromiseSettledResult<ComputeDeadlinesResult> {
  if (all.status === 'rejected') return all;
  const computed = all.value.computed[index];
  if (computed) return { status: 'fulfilled', value: computed };
  const refused = all.value.refused!;
  return { status: 'rejected', reason: ApplicationFailure.nonRetryable(refused.message, refused.type) };
}

const computeAllRequest = (obligationIds: string[], trigger: Pick<ComputeDeadlinesRequest, 'at' | 'anchors' | 'facts'>) => ({ requests: obligationIds.map((obligationId) => ({ obligationId, ...trigger })) });

/** Since incident-2026-12c: one `deadlines.compute-all` call, awaited once; each obligation's outcome read from it. */
async function computeAllSettled(obligationIds: string[], trigger: Pick<ComputeDeadlinesRequest, 'at' | 'anchors' | 'facts'>): Promise<Map<string, PromiseSettledResult<ComputeDeadlinesResult>>> {
  let all: PromiseSettledResult<ComputeAllDeadlinesResult>;
  try {
    all = { status: 'fulfilled', value: await computeAllDeadlines(computeAllRequest(obligationIds, trigger)) };
  } catch (reason) {
    all = { status: 'rejected', reason };
  }
  return new Map(obligationIds.map((obligationId, index) => [obligationId, outcomeOf(all, index)]));
}

/** Before incident-2026-12c: each obligation's outcome of one `deadlines.compute-all` call as a promise of its own. */
function computeAll(obligationIds: string[], trigger: Pick<ComputeDeadlinesRequest, 'at' | 'anchors' | 'facts'>): Map<string, Promise<PromiseSettledResult<ComputeDeadlinesResult>>> {
  // Settled, so the clocks not awaited after a failure leave no rejected promise behind (it would fail the task).
  const all = settled(computeAllDeadlines(computeAllRequest(obligationIds, trigger)));
  return new Map(obligationIds.map((obligationId, index) => [obligationId, all.then((outcome) => outcomeOf(outcome, index))]));
}

export interface ClockStart {
  step: ClockStep;
  /** The trigger time, rendered from the step's `at`. */
  at: string;
  scope: Record<string, unknown>;
  now: string;
}

/**
 * Starts the step's clocks: due times from `deadlines.compute`, then background timers (one loop per clock, or one for
 * the incident since incident-2026-12b). A clock already running for the same obligation is left as it is (and the
 * attempt recorded). Rejects when the computation fails (unknown obligation, trigger time without an offset): a clock
 * that silently never started is worse.
 */
export async function startClocks(state: IncidentState, start: ClockStart): Promise<DeadlineClock[]> {
  const { step, at, scope, now } = start;
  const anchors = renderMap(step.anchors, scope) as Record<string, string>;
  const facts = renderMap(step.facts, scope);
  const policy = policyOf(step);
  const startedBy = statedBy(state, step.at);
  const started: DeadlineClock[] = [];
  const compute = (obligationId: string) => settled(computeDeadlines({ obligationId, at, anchors, facts }));
  // All asked at once, one round trip instead of one per clock; then started in the step's order, up to the first that
  // failed. Histories from before the patch asked one clock at a time; since RELEASE_PATCH, one local activity asks.
  const toCompute = [...new Set(step.start)].filter((obligationId) => findClock(state, obligationId)?.state !== 'running');
  // Since incident-2026-12c awaited once, here, and read without an await per clock: a promise and a turn fewer each.
  const awaitOnce = onRelease('incident-2026-12c');
  const settledOnce = awaitOnce && toCompute.length > 0 ? await computeAllSettled(toCompute, { at, anchors, facts }) : undefined;
  const computing = onRelease() && !awaitOnce && toCompute.length > 0 ? computeAll(toCompute, { at, anchors, facts }) : new Map<string, ReturnType<typeof compute>>();
  for (const obligationId of isPatched('clocks-computed-at-once') && !onRelease() ? toCompute : []) computing.set(obligationId, compute(obligationId));
  // Since incident-2026-12b one loop watches every clock of the incident: told once the step's clocks are in.
  const oneLoop = onRelease('incident-2026-12b');
  try {
    for (const obligationId of step.start) {
      if (findClock(state, obligationId)?.state === 'running') {
        addTimeline(state, { at: now, event: 'clock.already_running', stepId: step.id, detail: obligationId });
        continue;
      }
      const outcome = settledOnce?.get(obligationId) ?? (await (computing.get(obligationId) ?? compute(obligationId)));
      if (outcome.status === 'rejected') throw outcome.reason;
      const computed = outcome.value;
      const clock: DeadlineClock = {
        id: obligationId,
        title: computed.title,
        recipient: computed.recipient,
        zone: computed.zone,
        state: 'running',
        triggeredAt: at,
        startedAt: now,
        startedBy,
        reason: step.reason ?? `runbook step ${step.id}`,
        stepId: step.id,
        anchors,
        facts,
        policy,
        stages: [],
        revision: 0,
      };
      clock.stages = computed.stages.map((stage) => trackedStage(stage, clock, Date.now()));
      if (!clock.stages.some((stage) => stage.state === 'running' || stage.state === 'projected')) clock.state = 'stopped';
      state.status.clocks = [...state.status.clocks.filter((c) => c.id !== obligationId), clock];
      const dues = clock.stages.map((s) => `${s.stageId} ${s.dueAt ? `due ${s.dueAt}` : s.state}`).join('; ');
      addTimeline(state, { at: now, event: 'clock.started', stepId: step.id, actor: startedBy, detail: `${obligationId} from ${at} (${clock.reason}): ${dues}` });
      // Alarms already due fire now, in the clock's place on the timeline, as its own loop did before the one loop.
      if (clock.state === 'running') {
        if (oneLoop) fireDueAlarms(state, clock);
        else void superviseClock(state, clock);
      }
      started.push(clock);
    }
  } finally {
    if (oneLoop && started.some((clock) => clock.state === 'running')) superviseClocks(state);
  }
  return started;
}
