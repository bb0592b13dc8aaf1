import { DateTime } from 'luxon';
import type { BusinessCalendar } from './calendars/business-calendar';
import type { BusinessDaysClock, CalendarDaysClock, HoursClock, MonthsClock } from './schema';

/** A computed instant with the steps that led to it, in order. */
export interface Reasoned {
  at: DateTime;
  reasoning: string[];
}

/** `2026-11-27 19:05 America/New_York`, the form every reasoning line uses for local times. */
export function localLabel(at: DateTime, zone: string): string {
  return `${at.setZone(zone).toFormat('yyyy-LL-dd HH:mm')} ${zone}`;
}

/** `2026-11-28T00:05:00Z`: UTC to the second, for reasoning lines. */
export function utcLabel(at: DateTime): string {
  return at.toUTC().toISO({ suppressMilliseconds: true })!;
}

/** Hour clocks run in UTC, so nights, weekends, holidays and DST changes never stretch them. */
export function addHours(start: DateTime, clock: Pick<HoursClock, 'amount'>): Reasoned {
  const at = start.toUTC().plus({ hours: clock.amount });
  return { at, reasoning: [`${clock.amount} h after ${utcLabel(start)}, counted in UTC: ${utcLabel(at)}`] };
}

/** The anchor's own day is not counted; the period ends at the end of its last day in the zone. */
export function addCalendarDays(start: DateTime, clock: CalendarDaysClock): Reasoned {
  const local = start.setZone(clock.zone);
  const lastDay = local.startOf('day').plus({ days: clock.amount });
  return {
    at: lastDay.endOf('day'),
    reasoning: [
      `anchor day ${local.toISODate()} (${clock.zone}) is not counted; day ${clock.amount} is ${lastDay.toISODate()}: due at the end of that day`,
    ],
  };
}

/**
 * Same date `amount` months on; a date the target month lacks becomes its last day (Reg 1182/71
 * Art 3(2)(c) style). Ends at the end of that day in the zone.
 */
export function addMonths(start: DateTime, clock: MonthsClock): Reasoned {
  const local = start.setZone(clock.zone);
  const target = local.plus({ months: clock.amount });
  const clamped = target.day !== local.day ? ` (${target.toFormat('LLLL')} has no day ${local.day}: its last day)` : '';
  return {
    at: target.endOf('day'),
    reasoning: [`${clock.amount} month(s) after ${local.toISODate()} (${clock.zone}) is ${target.toISODate()}${clamped}: due at the end of that day`],
  };
}

function nextDay(date: string): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days: 1 }).toISODate()!;
}

function weekdayName(date: string): string {
  return DateTime.fromISO(date, { zone: 'utc' }).toFormat('cccc');
}

/** The first business day strictly after `date`, with a line for every closed day skipped. */
export function nextBusinessDay(date: string, calendar: BusinessCalendar): { date: string; skipped: string[] } {
  const skipped: string[] = [];
  let day = nextDay(date);
  for (let reason = calendar.closedBecause(day); reason !== undefined; reason = calendar.closedBecause(day)) {
    skipped.push(`${day} is ${reason}: skipped`);
    day = nextDay(day);
  }
  return { date: day, skipped };
}

/**
 * Counts business days on `calendar` in the clock's zone. An anchor on a business day is day 0,
 * whatever its time: a cut-off limits when the final day's filing window closes, not when the
 * event happened (Form 8-K General Instruction B.1 counts by the event's date). An anchor on a
 * closed day counts per `nonBusinessDayAnchor`.
 */
export function addBusinessDays(start: DateTime, clock: BusinessDaysClock, calendar: BusinessCalendar): Reasoned {
  const local = start.setZone(clock.zone);
  const anchorDate = local.toISODate()!;
  const reasoning: string[] = [];
  let counted = 0;
  let day = anchorDate;
  const closedReason = calendar.closedBecause(anchorDate);
  if (closedReason === undefined) {
    reasoning.push(`anchor ${localLabel(start, clock.zone)} is on business day ${anchorDate} (${weekdayName(anchorDate)}): counting starts the next business day`);
    if (clock.cutoff && local.toFormat('HH:mm') > clock.cutoff) {
      reasoning.push(`the anchor is after the ${clock.cutoff} cut-off, which limits filings only: the anchor date still counts as the event day`);
    }
  } else {
    const first = nextBusinessDay(anchorDate, calendar);
    reasoning.push(`anchor date ${anchorDate} is ${closedReason}: not a business day`, ...first.skipped);
    day = first.date;
    if (clock.nonBusinessDayAnchor === 'next-is-day-1') {
      counted = 1;
      reasoning.push(`${day} (${weekdayName(day)}) is the first business day after it and counts as day 1`);
    } else {
      reasoning.push(`${day} (${weekdayName(day)}) is the first business day after it; counting starts the day after`);
    }
  }
  while (counted < clock.amount) {
    const next = nextBusinessDay(day, calendar);
    reasoning.push(...next.skipped);
    day = next.date;
    counted += 1;
    reasoning.push(`business day ${counted}: ${day} (${weekdayName(day)})`);
  }
  const lastDay = DateTime.fromISO(day, { zone: clock.zone });
  if (clock.cutoff) {
    const [hour, minute] = clock.cutoff.split(':').map(Number);
    const at = lastDay.set({ hour, minute });
    reasoning.push(`due by the ${clock.cutoff} ${clock.zone} cut-off on ${day}: ${utcLabel(at)}`);
    return { at, reasoning };
  }
  const at = lastDay.endOf('day');
  reasoning.push(`due at the end of ${day} in ${clock.zone}: ${utcLabel(at)}`);
  return { at, reasoning };
}
