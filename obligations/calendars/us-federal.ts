import { DateTime } from 'luxon';

/** A day the calendar treats as closed, with the reason a responder will read. */
export interface Holiday {
  /** `YYYY-MM-DD`: the day offices are closed (the observed date). */
  date: string;
  name: string;
  /** The statutory date when the holiday is observed on another day. */
  actualDate?: string;
}

type Rule = { name: string; since?: number } & (
  | { kind: 'fixed'; month: number; day: number }
  | { kind: 'nth-weekday'; month: number; weekday: number; nth: number | 'last' }
);

const MONDAY = 1;
const THURSDAY = 4;

// 5 U.S.C. 6103(a). Inauguration Day (6103(c)) applies only in the DC area and is left out.
const RULES: readonly Rule[] = [
  { name: "New Year's Day", kind: 'fixed', month: 1, day: 1 },
  { name: 'Birthday of Martin Luther King, Jr.', kind: 'nth-weekday', month: 1, weekday: MONDAY, nth: 3 },
  { name: "Washington's Birthday", kind: 'nth-weekday', month: 2, weekday: MONDAY, nth: 3 },
  { name: 'Memorial Day', kind: 'nth-weekday', month: 5, weekday: MONDAY, nth: 'last' },
  { name: 'Juneteenth National Independence Day', kind: 'fixed', month: 6, day: 19, since: 2021 },
  { name: 'Independence Day', kind: 'fixed', month: 7, day: 4 },
  { name: 'Labor Day', kind: 'nth-weekday', month: 9, weekday: MONDAY, nth: 1 },
  { name: 'Columbus Day', kind: 'nth-weekday', month: 10, weekday: MONDAY, nth: 2 },
  { name: 'Veterans Day', kind: 'fixed', month: 11, day: 11 },
  { name: 'Thanksgiving Day', kind: 'nth-weekday', month: 11, weekday: THURSDAY, nth: 4 },
  { name: 'Christmas Day', kind: 'fixed', month: 12, day: 25 },
];

function statutoryDate(rule: Rule, year: number): DateTime {
  if (rule.kind === 'fixed') return DateTime.utc(year, rule.month, rule.day);
  if (rule.nth === 'last') {
    const lastOfMonth = DateTime.utc(year, rule.month, 1).endOf('month').startOf('day');
    return lastOfMonth.minus({ days: (lastOfMonth.weekday - rule.weekday + 7) % 7 });
  }
  const first = DateTime.utc(year, rule.month, 1);
  return first.plus({ days: ((rule.weekday - first.weekday + 7) % 7) + 7 * (rule.nth - 1) });
}

/** 5 U.S.C. 6103(b) as applied by OPM: Saturday holidays move to Friday, Sunday holidays to Monday. */
function observedDate(date: DateTime): DateTime {
  if (date.weekday === 6) return date.minus({ days: 1 });
  if (date.weekday === 7) return date.plus({ days: 1 });
  return date;
}

/**
 * The federal holidays observed within `year`, sorted by date. Includes the previous-year shift
 * of a Saturday New Year's Day (1 Jan 2022 was observed on Friday 31 Dec 2021). Accurate from
 * 1986 (first MLK Day); Juneteenth from 2021.
 */
export function usFederalHolidays(year: number): Holiday[] {
  const holidays: Holiday[] = [];
  for (const ruleYear of [year, year + 1]) {
    for (const rule of RULES) {
      if (rule.since !== undefined && ruleYear < rule.since) continue;
      const actual = statutoryDate(rule, ruleYear);
      const observed = observedDate(actual);
      if (observed.year !== year) continue;
      const holiday: Holiday = { date: observed.toISODate()!, name: rule.name };
      if (!observed.equals(actual)) holiday.actualDate = actual.toISODate()!;
      holidays.push(holiday);
    }
  }
  return holidays.sort((a, b) => a.date.localeCompare(b.date));
}
