import { IANAZone } from 'luxon';
import { z } from 'zod';

/** Obligation ids follow the reference table (`gdpr-art33-sa`, `sec-8k-105`). */
export const ObligationId = z.string().regex(/^[a-z][a-z0-9-]*$/, 'obligation ids are kebab-case');
export type ObligationId = z.infer<typeof ObligationId>;

export const StageId = z.string().regex(/^[a-z][a-z0-9-]*$/, 'stage ids are kebab-case');
export type StageId = z.infer<typeof StageId>;

/** A name under `calendars:` in the catalogue; reliefs may also say `member-state` (resolved from the `memberState` fact). */
export const CalendarName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'calendar names are kebab-case');
export type CalendarName = z.infer<typeof CalendarName>;

export const IanaZoneName = z.string().refine((zone) => IANAZone.isValidZone(zone), 'not an IANA time zone');
export type IanaZoneName = z.infer<typeof IanaZoneName>;

/** `HH:mm`, 24-hour clock, local to the clock's zone. */
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'times are HH:mm');
export type LocalTime = z.infer<typeof LocalTime>;

export const IsoDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'dates are YYYY-MM-DD');
export type IsoDate = z.infer<typeof IsoDate>;

/** What starts a clock; kept apart because one incident records each at a different time. */
export const TriggerAnchor = z.enum(['detection', 'awareness', 'determination', 'classification', 'payment', 'prior-submission']);
export type TriggerAnchor = z.infer<typeof TriggerAnchor>;

/** The anchors a person records on the incident; `prior-submission` is derived from stage submissions. */
export const EventAnchor = TriggerAnchor.exclude(['prior-submission']);
export type EventAnchor = z.infer<typeof EventAnchor>;

const Amount = z.number().int().positive();

/** Hour clocks run continuously in UTC: nights, weekends, holidays and DST changes do not matter. */
export const HoursClock = z.object({ unit: z.literal('hours'), amount: Amount });
export type HoursClock = z.infer<typeof HoursClock>;

/** The day of the anchor is not counted; the period ends at the end of the last day in `zone`. */
export const CalendarDaysClock = z.object({ unit: z.literal('calendar-days'), amount: Amount, zone: IanaZoneName });
export type CalendarDaysClock = z.infer<typeof CalendarDaysClock>;

/**
 * Business days on a named holiday calendar, judged in `zone`. Ends at `cutoff` on the last day
 * (end of day without one). `nonBusinessDayAnchor` says how an anchor on a closed day counts:
 * `next-is-day-1` (Form 8-K B.1: the next business day is day 1) or `next-is-day-0` (counting
 * starts the day after the next business day).
 */
export const BusinessDaysClock = z.object({
  unit: z.literal('business-days'),
  amount: Amount,
  calendar: CalendarName,
  zone: IanaZoneName,
  cutoff: LocalTime.optional(),
  nonBusinessDayAnchor: z.enum(['next-is-day-1', 'next-is-day-0']).default('next-is-day-0'),
});
export type BusinessDaysClock = z.infer<typeof BusinessDaysClock>;

/** Same date N months later (last day of a shorter month), ending at the end of that day in `zone`. */
export const MonthsClock = z.object({ unit: z.literal('months'), amount: Amount, zone: IanaZoneName });
export type MonthsClock = z.infer<typeof MonthsClock>;

/** "Without undue delay" has no legal stop; the clock is open and alarms at an internal target. */
export const OpenDutyClock = z.object({ unit: z.literal('without-undue-delay'), internalTargetHours: Amount });
export type OpenDutyClock = z.infer<typeof OpenDutyClock>;

export const Clock = z.discriminatedUnion('unit', [HoursClock, CalendarDaysClock, BusinessDaysClock, MonthsClock, OpenDutyClock]);
export type Clock = z.infer<typeof Clock>;

/** A fact about the incident or the entity, e.g. `maxResidentsInOneState`, `entityType`. */
export const FactName = z.string().regex(/^[a-z][A-Za-z0-9]*$/, 'fact names are camelCase');
export type FactName = z.infer<typeof FactName>;

/**
 * One comparison against a fact supplied at computation time: `fact op value`.
 * `in` takes a list. Several conditions in one list must all hold.
 */
export const Condition = z.object({
  fact: FactName,
  op: z.enum(['gt', 'gte', 'lt', 'lte', 'eq', 'ne', 'in']),
  value: z.union([z.number(), z.string(), z.boolean(), z.array(z.string()).min(1)]),
  description: z.string().min(1).optional(),
});
export type Condition = z.infer<typeof Condition>;

/**
 * Where a stage's clock starts. An event anchor (optionally moved to the end of its calendar year,
 * for annual logs), or the actual submission of an earlier stage.
 */
export const StageStart = z.union([
  z.object({ anchor: EventAnchor, from: z.enum(['anchor', 'year-end']).default('anchor') }).strict(),
  z.object({ anchor: z.literal('prior-submission'), stage: StageId }).strict(),
]);
export type StageStart = z.infer<typeof StageStart>;

/**
 * A second, outer limit (DORA: initial report also within 24 h of awareness). When
 * `waivedIfPassedAtStart` is set and the cap has already passed when the stage's clock starts
 * (DORA RTS Art 5(2)), only the main clock applies.
 */
export const Cap = z.object({ anchor: EventAnchor, hours: Amount, waivedIfPassedAtStart: z.boolean().default(false) });
export type Cap = z.infer<typeof Cap>;

/**
 * A deadline landing on a weekend day or holiday may be met by `noon` (local) on the next working
 * day (DORA RTS Art 5(4)), except for entities matching any `unlessAny` condition (Art 5(5)).
 */
export const WorkingDayRelief = z.object({
  kind: z.literal('next-working-day-noon'),
  calendar: CalendarName,
  unlessAny: z.array(Condition).default([]),
});
export type WorkingDayRelief = z.infer<typeof WorkingDayRelief>;

export const Stage = z.object({
  id: StageId,
  title: z.string().min(1),
  /** Defaults to the obligation's trigger anchor. */
  start: StageStart.optional(),
  clock: Clock,
  cap: Cap.optional(),
  relief: WorkingDayRelief.optional(),
  /** The stage applies only when all of these hold (e.g. HHS contemporaneous notice: 500 or more). */
  conditions: z.array(Condition).default([]),
  /** Content specific to this stage, in addition to the obligation's `content`. */
  content: z.array(z.string().min(1)).default([]),
});
export type Stage = z.infer<typeof Stage>;

export const Obligation = z.object({
  id: ObligationId,
  title: z.string().min(1),
  jurisdiction: z.string().min(1),
  recipient: z.string().min(1),
  obligedParty: z.string().min(1),
  trigger: EventAnchor,
  /** The zone deadlines are shown in by default. */
  zone: IanaZoneName,
  /** Reference status: V = primary text checked, V2 = secondary sources only. */
  status: z.enum(['V', 'V2']),
  verified: z.boolean().default(true),
  /** Disabled obligations are listed but never start clocks; unverified ones must be disabled. */
  enabled: z.boolean().default(true),
  /** Triggers before this date (in `zone`) start no clock: the duty did not apply yet. */
  inForceFrom: IsoDate.optional(),
  /** The obligation applies only when all of these hold. */
  conditions: z.array(Condition).default([]),
  stages: z.array(Stage).min(1),
  content: z.array(z.string().min(1)).min(1),
  source: z.string().min(1),
  notes: z.string().min(1).optional(),
});
export type Obligation = z.infer<typeof Obligation>;

/** A dated one-off closure (e.g. an executive-order day of mourning) that the rules cannot predict. */
export const Closure = z.object({ date: IsoDate, reason: z.string().min(1) });
export type Closure = z.infer<typeof Closure>;

/** US federal holidays per 5 U.S.C. 6103, computed in code, plus closures. */
export const UsFederalCalendar = z.object({ kind: z.literal('us-federal'), closures: z.array(Closure).default([]) });
export type UsFederalCalendar = z.infer<typeof UsFederalCalendar>;

/** Public and bank holidays from the `date-holidays` package for a country (and region), plus closures. */
export const DateHolidaysCalendar = z.object({
  kind: z.literal('date-holidays'),
  country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2'),
  region: z.string().min(1).optional(),
  /** Which kinds of day close business; `bank` matters for DORA's "bank holiday". */
  types: z.array(z.enum(['public', 'bank'])).min(1).default(['public', 'bank']),
  closures: z.array(Closure).default([]),
});
export type DateHolidaysCalendar = z.infer<typeof DateHolidaysCalendar>;

export const CalendarDefinition = z.discriminatedUnion('kind', [UsFederalCalendar, DateHolidaysCalendar]);
export type CalendarDefinition = z.infer<typeof CalendarDefinition>;

export const Catalogue = z.object({
  version: z.string().min(1),
  calendars: z.record(CalendarName, CalendarDefinition),
  obligations: z.array(Obligation).min(1),
});
export type Catalogue = z.infer<typeof Catalogue>;
