import { DateTime } from 'luxon';
import type { CalendarSet } from './calendars/business-calendar';
import { addBusinessDays, addCalendarDays, addHours, addMonths, localLabel, utcLabel, type Reasoned } from './clocks';
import { describeCondition, evaluateAll, type Facts } from './conditions';
import { applyRelief } from './relief';
import type { EventAnchor, Obligation, Stage } from './schema';

/** What started the obligation's clock: `at` is the time of its `trigger` anchor. */
export interface Trigger {
  /** ISO-8601 with an offset, e.g. the awareness time a person stated. */
  at: string;
  /** Other anchors the stages use (DORA's initial report is also capped by `awareness`). */
  anchors?: Partial<Record<EventAnchor, string>>;
}

export interface ComputeOptions {
  /** From `createCalendars(catalogue.calendars)`; business-day clocks and reliefs look names up here. */
  calendars: CalendarSet;
  /** Facts for conditions and relief exclusions, e.g. `{ maxResidentsInOneState: 612, entityType: 'credit-institution' }`. */
  facts?: Facts;
  /** Actual submission times (ISO with offset) by stage id; later stages chain from these. */
  submissions?: Readonly<Record<string, string>>;
}

interface StageBase {
  stageId: string;
  title: string;
  /** Ordered, human-readable steps behind the result. */
  reasoning: string[];
}

/**
 * - `deadline`: a legal deadline; `dueAt` is ISO UTC. `strictDueAt` is set when a working-day
 *   relief moved it. `projected` means an earlier stage it chains from has not been submitted, so
 *   its deadline stood in for the submission: recompute when it is submitted.
 * - `open`: a "without undue delay" duty; `dueAt` is the internal target, not a legal stop.
 * - `pending`: an anchor it needs (e.g. classification) has not been recorded yet.
 * - `not-applicable`: a condition fails for the supplied facts.
 */
export type StageDeadline =
  | (StageBase & { kind: 'deadline'; dueAt: string; strictDueAt?: string; projected: boolean })
  | (StageBase & { kind: 'open'; dueAt: string; projected: boolean })
  | (StageBase & { kind: 'pending' })
  | (StageBase & { kind: 'not-applicable' });

/** Thrown when an input time is not ISO-8601 with an offset, or a stage id is unknown. */
export class DeadlineInputError extends Error {
  readonly code = 'deadline.invalid_input';
}

const WITH_OFFSET = /(Z|[+-]\d{2}(:?\d{2})?)$/;

/** Parses an ISO-8601 timestamp that states its offset; a local time without one is ambiguous. */
export function parseInstant(iso: string): DateTime {
  const at = DateTime.fromISO(iso, { setZone: true });
  if (!WITH_OFFSET.test(iso) || !at.isValid) throw new DeadlineInputError(`"${iso}" is not an ISO-8601 time with an offset`);
  return at;
}

type Start = { at: DateTime; projected: boolean; reasoning: string[] } | { missing: string };

function stageStart(obligation: Obligation, stage: Stage, anchors: ReadonlyMap<string, DateTime>, done: ReadonlyMap<string, StageDeadline>, opts: ComputeOptions): Start {
  const start = stage.start ?? { anchor: obligation.trigger, from: 'anchor' as const };
  if (start.anchor === 'prior-submission') {
    const submitted = opts.submissions?.[start.stage];
    if (submitted !== undefined) {
      const at = parseInstant(submitted);
      return { at, projected: false, reasoning: [`starts when "${start.stage}" was submitted: ${utcLabel(at)}`] };
    }
    const prior = done.get(start.stage);
    if (prior === undefined || prior.kind === 'pending' || prior.kind === 'not-applicable') return { missing: `stage "${start.stage}" has no deadline yet` };
    const at = DateTime.fromISO(prior.dueAt, { zone: 'utc' });
    return { at, projected: true, reasoning: [`"${start.stage}" not submitted yet: projected from its deadline ${utcLabel(at)}; recompute on submission`] };
  }
  const at = anchors.get(start.anchor);
  if (at === undefined) return { missing: `no ${start.anchor} time recorded` };
  const reasoning = [`starts at ${start.anchor}: ${utcLabel(at)} (${localLabel(at, obligation.zone)})`];
  if (start.from === 'year-end') {
    const yearEnd = at.setZone(obligation.zone).endOf('year');
    reasoning.push(`counted from the end of calendar year ${yearEnd.year} (${yearEnd.toISODate()})`);
    return { at: yearEnd, projected: false, reasoning };
  }
  return { at, projected: false, reasoning };
}

function runClock(stage: Stage, start: DateTime, opts: ComputeOptions): Reasoned {
  const clock = stage.clock;
  switch (clock.unit) {
    case 'hours':
      return addHours(start, clock);
    case 'calendar-days':
      return addCalendarDays(start, clock);
    case 'months':
      return addMonths(start, clock);
    case 'business-days': {
      const calendar = opts.calendars.get(clock.calendar);
      if (!calendar) throw new DeadlineInputError(`calendar "${clock.calendar}" is not in ComputeOptions.calendars`);
      return addBusinessDays(start, clock, calendar);
    }
    case 'without-undue-delay': {
      const target = addHours(start, { amount: clock.internalTargetHours });
      return { at: target.at, reasoning: ['without undue delay: no fixed legal deadline, the clock stays open', `internal target: ${target.reasoning[0]}`] };
    }
  }
}

function applyCap(stage: Stage, start: DateTime, due: Reasoned, anchors: ReadonlyMap<string, DateTime>): Reasoned {
  const cap = stage.cap;
  if (!cap) return due;
  const capStart = anchors.get(cap.anchor);
  if (!capStart) return { at: due.at, reasoning: [...due.reasoning, `cap of ${cap.hours} h after ${cap.anchor} not checked: no ${cap.anchor} time recorded`] };
  const capAt = capStart.toUTC().plus({ hours: cap.hours });
  if (cap.waivedIfPassedAtStart && capAt < start) {
    return { at: due.at, reasoning: [...due.reasoning, `cap ${cap.hours} h after ${cap.anchor} (${utcLabel(capAt)}) had passed when the clock started: only the clock above applies`] };
  }
  if (capAt < due.at) {
    return { at: capAt, reasoning: [...due.reasoning, `capped at ${cap.hours} h after ${cap.anchor} (${utcLabel(capStart)}): ${utcLabel(capAt)} is earlier`] };
  }
  return { at: due.at, reasoning: [...due.reasoning, `cap ${cap.hours} h after ${cap.anchor} (${utcLabel(capAt)}) is later: not binding`] };
}

function conditionLines(conditions: Stage['conditions'], facts: Facts): { outcome: ReturnType<typeof evaluateAll>; lines: string[] } {
  const outcome = evaluateAll(conditions, facts);
  const described = conditions.map(describeCondition).join('; ');
  if (outcome === 'fails') return { outcome, lines: [`does not apply: requires ${described}`] };
  if (outcome === 'unknown') return { outcome, lines: [`applies only if ${described}; facts not supplied, computed as if it applies`] };
  return { outcome, lines: conditions.length > 0 ? [`applies: ${described}`] : [] };
}

function computeStage(obligation: Obligation, stage: Stage, anchors: ReadonlyMap<string, DateTime>, done: ReadonlyMap<string, StageDeadline>, opts: ComputeOptions, preamble: string[]): StageDeadline {
  const base = { stageId: stage.id, title: stage.title };
  const facts = opts.facts ?? {};
  const conditions = conditionLines(stage.conditions, facts);
  const reasoning = [...preamble, ...conditions.lines];
  if (conditions.outcome === 'fails') return { ...base, kind: 'not-applicable', reasoning };
  const start = stageStart(obligation, stage, anchors, done, opts);
  if ('missing' in start) return { ...base, kind: 'pending', reasoning: [...reasoning, `waiting: ${start.missing}`] };
  reasoning.push(...start.reasoning);
  const clocked = applyCap(stage, start.at, runClock(stage, start.at, opts), anchors);
  reasoning.push(...clocked.reasoning);
  if (stage.clock.unit === 'without-undue-delay') {
    return { ...base, kind: 'open', dueAt: clocked.at.toUTC().toISO()!, projected: start.projected, reasoning };
  }
  const strictDueAt = clocked.at.toUTC().toISO()!;
  if (!stage.relief) return { ...base, kind: 'deadline', dueAt: strictDueAt, projected: start.projected, reasoning };
  const relieved = applyRelief(clocked.at, stage.relief, opts.calendars, facts, obligation.zone);
  reasoning.push(...relieved.reasoning);
  const dueAt = relieved.at.toUTC().toISO()!;
  return dueAt === strictDueAt
    ? { ...base, kind: 'deadline', dueAt, projected: start.projected, reasoning }
    : { ...base, kind: 'deadline', dueAt, strictDueAt, projected: start.projected, reasoning };
}

function applicabilityOf(obligation: Obligation, anchors: ReadonlyMap<string, DateTime>, facts: Facts): ReturnType<typeof conditionLines> {
  const triggeredAt = anchors.get(obligation.trigger);
  if (obligation.inForceFrom && triggeredAt && triggeredAt.setZone(obligation.zone).toISODate()! < obligation.inForceFrom) {
    return { outcome: 'fails', lines: [`does not apply: in force from ${obligation.inForceFrom}, triggered ${localLabel(triggeredAt, obligation.zone)}`] };
  }
  return conditionLines(obligation.conditions, facts);
}

function computeAll(obligation: Obligation, anchors: ReadonlyMap<string, DateTime>, opts: ComputeOptions): StageDeadline[] {
  const applicability = applicabilityOf(obligation, anchors, opts.facts ?? {});
  const done = new Map<string, StageDeadline>();
  for (const stage of obligation.stages) {
    if (applicability.outcome === 'fails') {
      done.set(stage.id, { stageId: stage.id, title: stage.title, kind: 'not-applicable', reasoning: applicability.lines });
    } else {
      done.set(stage.id, computeStage(obligation, stage, anchors, done, opts, applicability.lines));
    }
  }
  return [...done.values()];
}

/**
 * Every stage's deadline for an obligation, in catalogue order. Pure: a function of its inputs
 * only, never of the current time. Stages chained to an earlier stage use `opts.submissions` when
 * present and otherwise that stage's own deadline (marked `projected`).
 * Throws `DeadlineInputError` for a time without an offset or a missing calendar.
 */
export function computeStages(obligation: Obligation, trigger: Trigger, opts: ComputeOptions): StageDeadline[] {
  const anchors = new Map<string, DateTime>();
  for (const [anchor, iso] of Object.entries(trigger.anchors ?? {})) if (iso !== undefined) anchors.set(anchor, parseInstant(iso));
  anchors.set(obligation.trigger, parseInstant(trigger.at));
  return computeAll(obligation, anchors, opts);
}

function downstreamOf(obligation: Obligation, stageId: string): Set<string> {
  const downstream = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const stage of obligation.stages) {
      const from = stage.start?.anchor === 'prior-submission' ? stage.start.stage : undefined;
      if (from !== undefined && (from === stageId || downstream.has(from)) && !downstream.has(stage.id)) {
        downstream.add(stage.id);
        grew = true;
      }
    }
  }
  return downstream;
}

/**
 * Deadlines of the stages that chain (directly or transitively) from `stageId`, recomputed from
 * its actual `submittedAt`. Call it when a chained stage is submitted; stages that do not chain
 * from it keep their deadlines. Throws `DeadlineInputError` for an unknown stage id.
 */
export function recomputeFrom(obligation: Obligation, stageId: string, submittedAt: string, opts: ComputeOptions): StageDeadline[] {
  if (!obligation.stages.some((s) => s.id === stageId)) throw new DeadlineInputError(`"${stageId}" is not a stage of ${obligation.id}`);
  const downstream = downstreamOf(obligation, stageId);
  const submissions = { ...opts.submissions, [stageId]: submittedAt };
  return computeAll(obligation, new Map(), { ...opts, submissions }).filter((d) => downstream.has(d.stageId));
}
