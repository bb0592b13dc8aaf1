import Holidays from 'date-holidays';
import { DateTime } from 'luxon';

/*
 * Calendar scenarios for tests that run on a live or time-skipping clock, derived from "now" so they hold on any day
 * the suite runs. Expected due times are worked out here with luxon and date-holidays, independently of the product's
 * own calendar code, so a test compares two derivations rather than the product with itself.
 *
 * `FIREBREAK_TEST_TODAY` (an ISO date or instant in the future) moves "today" for the time-skipping server: the test
 * harness skips the server's clock forward to it before any test runs. `npm run test:dates` uses it to run the
 * date-sensitive tests as if today were each day after a US federal holiday and each EU DST change in the next two
 * years.
 */

const NEW_YORK = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const BRUSSELS = 'Europe/Brussels';
const DAY = 86_400_000;

/** The instant `FIREBREAK_TEST_TODAY` names, or undefined when it is not set. Refuses a value it cannot read. */
export function shiftedToday(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.FIREBREAK_TEST_TODAY;
  if (!raw) return undefined;
  const at = DateTime.fromISO(raw, { zone: 'utc' });
  if (!at.isValid) throw new Error(`FIREBREAK_TEST_TODAY: "${raw}" is not an ISO date or instant`);
  return at.toMillis();
}

const usHolidays = new Holidays('US', { types: ['public'] });
const deHolidays = new Holidays('DE', { types: ['public'] });

function listed(holidays: Holidays, date: DateTime): boolean {
  return holidays.getHolidays(date.year).some((h) => h.date.slice(0, 10) === date.toISODate());
}

/** True when `date` (a local calendar day) is, or may be observed as, a US federal holiday (a Saturday one moves to Friday, a Sunday one to Monday). */
function usHoliday(date: DateTime): boolean {
  return listed(usHolidays, date) || (date.weekday === 5 && listed(usHolidays, date.plus({ days: 1 }))) || (date.weekday === 1 && listed(usHolidays, date.minus({ days: 1 })));
}

/** The first instant strictly after `afterMs` that `candidate(n)` yields for n = 0, 1, 2 ... and `accept` admits. */
function firstAfter(afterMs: number, candidate: (n: number) => DateTime, accept: (at: DateTime) => boolean = () => true): DateTime {
  for (let n = 0; n < 800; n += 1) {
    const at = candidate(n);
    if (at.toMillis() > afterMs && accept(at)) return at;
  }
  throw new Error('no calendar scenario within 800 candidates');
}

export interface SecScenario {
  determination: DateTime;
  /** Four US federal business days later, 17:30 Eastern. */
  due: DateTime;
}

/**
 * A Wednesday-before-Thanksgiving determination at 10:00 Eastern, the first one after `afterMs`: the four business
 * days are Friday, Monday, Tuesday and Wednesday (Thanksgiving and the weekend skipped), due the next Wednesday.
 */
export function thanksgivingEve(afterMs: number): SecScenario {
  const determination = firstAfter(afterMs, (n) => {
    const year = DateTime.fromMillis(afterMs, { zone: NEW_YORK }).year + n;
    const novemberFirst = DateTime.fromObject({ year, month: 11, day: 1, hour: 10 }, { zone: NEW_YORK });
    const firstThursday = novemberFirst.plus({ days: (4 - novemberFirst.weekday + 7) % 7 });
    return firstThursday.plus({ weeks: 3, days: -1 });
  });
  return { determination, due: determination.plus({ days: 7 }).set({ hour: 17, minute: 30 }) };
}

/** A Friday 19:00 Eastern determination (after the cut-off) with no federal holiday from that Friday to the Thursday after. */
export function fridayEvening(afterMs: number): SecScenario {
  const start = DateTime.fromMillis(afterMs, { zone: NEW_YORK }).startOf('day');
  const determination = firstAfter(
    afterMs,
    (n) => start.plus({ days: (5 - start.weekday + 7) % 7 + 7 * n }).set({ hour: 19 }),
    (friday) => [0, 3, 4, 5, 6].every((d) => !usHoliday(friday.plus({ days: d }))),
  );
  return { determination, due: determination.plus({ days: 6 }).set({ hour: 17, minute: 30 }) };
}

export interface DoraSaturday {
  classification: DateTime;
  awareness: DateTime;
  /** Classification + 4 h: the strict deadline, a Saturday. */
  strictDue: DateTime;
  /** Noon Berlin on the Monday after: the relieved deadline for entities that may use it. */
  relievedDue: DateTime;
}

/** A Saturday classification at 10:00 Berlin (awareness 08:00) whose Monday is a German working day. */
export function doraSaturday(afterMs: number): DoraSaturday {
  const start = DateTime.fromMillis(afterMs, { zone: BERLIN }).startOf('day');
  const classification = firstAfter(
    afterMs,
    (n) => start.plus({ days: (6 - start.weekday + 7) % 7 + 7 * n }).set({ hour: 10 }),
    (saturday) => !listed(deHolidays, saturday.plus({ days: 2 })),
  );
  return {
    classification,
    awareness: classification.set({ hour: 8 }),
    strictDue: classification.plus({ hours: 4 }),
    relievedDue: classification.plus({ days: 2 }).set({ hour: 12 }),
  };
}

/**
 * An awareness time for a NIS2 notification sent 8 h after its 72 h deadline: 19:00Z (20:00 or 21:00 Brussels), so
 * the deadline and the late notification fall on different Brussels days, on a day whose notification day has a
 * same-numbered day a month later (no month-end clamp, which would leave the final report's due date unmoved).
 */
export function nis2LateNotification(afterMs: number): DateTime {
  const start = DateTime.fromMillis(afterMs, { zone: 'utc' }).startOf('day').set({ hour: 19 });
  return firstAfter(afterMs, (n) => start.plus({ days: n }), (aware) => aware.plus({ hours: 80 }).setZone(BRUSSELS).day <= 28);
}

/** The first instant after `afterMs` at which `zone`'s UTC offset changes in March (a spring DST change). */
function springChange(afterMs: number, zone: string): DateTime {
  return firstAfter(afterMs, (n) => {
    const year = DateTime.fromMillis(afterMs, { zone }).year + n;
    let hour = DateTime.fromObject({ year, month: 3, day: 1 }, { zone });
    while (hour.plus({ hours: 1 }).offset === hour.offset) hour = hour.plus({ hours: 1 });
    return hour.plus({ hours: 1 });
  });
}

export interface DstScenario {
  /** 15:00 Eastern, 30 days before the US spring change. */
  hipaaDiscovery: DateTime;
  /** The end of the 60th calendar day after discovery, Eastern (daylight) time. */
  hipaaDue: DateTime;
  /** 10:00 Brussels, the day before the EU spring change. */
  gdprAwareness: DateTime;
  /** 72 hours later in UTC, which is 11:00 Brussels summer time. */
  gdprDue: DateTime;
}

/** The next spring in which both the US and the EU changes fall after `afterMs`. */
export function springDst(afterMs: number): DstScenario {
  const us = springChange(afterMs + 31 * DAY, NEW_YORK);
  const eu = springChange(us.toMillis() - 90 * DAY, BRUSSELS);
  const hipaaDiscovery = us.minus({ days: 30 }).startOf('day').set({ hour: 15 });
  const gdprAwareness = eu.setZone(BRUSSELS).minus({ days: 1 }).startOf('day').set({ hour: 10 });
  return {
    hipaaDiscovery,
    hipaaDue: hipaaDiscovery.plus({ days: 60 }).endOf('day'),
    gdprAwareness,
    gdprDue: gdprAwareness.plus({ hours: 72 }),
  };
}

/** As the product writes instants: ISO in UTC with milliseconds. */
export function utc(at: DateTime): string {
  return at.toUTC().toISO()!;
}

/** As a person states a trigger time: ISO with the local offset. */
export function local(at: DateTime): string {
  return at.toISO({ suppressMilliseconds: true })!;
}

/** Days after which `npm run test:dates` runs the date-sensitive tests: each US federal holiday and EU DST change of the next two years. */
export function sweepDays(nowMs: number = Date.now()): { day: string; why: string }[] {
  const thisYear = DateTime.fromMillis(nowMs, { zone: 'utc' }).year;
  const days = new Map<string, string>();
  for (const year of [thisYear + 1, thisYear + 2]) {
    for (const h of usHolidays.getHolidays(year)) {
      const next = DateTime.fromISO(h.date.slice(0, 10), { zone: 'utc' }).plus({ days: 1 }).toISODate()!;
      days.set(next, `day after ${h.name} ${year} (US)`);
    }
    for (const month of [3, 10]) {
      let day = DateTime.fromObject({ year, month, day: 31 }, { zone: BRUSSELS });
      while (day.weekday !== 7) day = day.minus({ days: 1 });
      days.set(day.plus({ days: 1 }).toISODate()!, `day after the EU ${month === 3 ? 'spring' : 'autumn'} DST change ${year}`);
    }
  }
  return [...days].sort(([a], [b]) => a.localeCompare(b)).map(([day, why]) => ({ day, why }));
}
