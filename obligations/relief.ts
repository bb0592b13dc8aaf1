import { DateTime } from 'luxon';
import { memberStateCalendar, type BusinessCalendar, type CalendarSet } from './calendars/business-calendar';
import { memberStateZone } from './calendars/member-state-zones';
import { localLabel, nextBusinessDay, type Reasoned } from './clocks';
import { describeCondition, evaluateCondition, type Facts } from './conditions';
import type { WorkingDayRelief } from './schema';
import { MEMBER_STATE_CALENDAR } from './validate';

const NOON = { hour: 12, minute: 0, second: 0, millisecond: 0 };

function resolveCalendar(
  relief: WorkingDayRelief,
  calendars: CalendarSet,
  facts: Facts,
  fallbackZone: string,
): { calendar: BusinessCalendar; zone: string } | { missing: string } {
  if (relief.calendar !== MEMBER_STATE_CALENDAR) {
    const calendar = calendars.get(relief.calendar);
    return calendar ? { calendar, zone: fallbackZone } : { missing: `calendar "${relief.calendar}" is not loaded` };
  }
  const country = facts.memberState;
  if (typeof country !== 'string') return { missing: 'the memberState fact (reporting entity\'s Member State) was not supplied' };
  const zone = memberStateZone(country);
  if (!zone) return { missing: `"${country}" is not an EU/EEA Member State code` };
  return { calendar: memberStateCalendar(country), zone };
}

/**
 * Moves a deadline that lands on a weekend day or holiday to noon (local) on the next working day.
 * The relief is withheld, and the strict deadline kept, when an exclusion holds or cannot be ruled
 * out because a fact is missing: an early deadline is the safe error.
 */
export function applyRelief(due: DateTime, relief: WorkingDayRelief, calendars: CalendarSet, facts: Facts, fallbackZone: string): Reasoned {
  const excluded = relief.unlessAny.find((c) => evaluateCondition(c, facts) === 'holds');
  if (excluded) return { at: due, reasoning: [`working-day relief not available: ${describeCondition(excluded)}`] };
  const unknown = relief.unlessAny.find((c) => evaluateCondition(c, facts) === 'unknown');
  if (unknown) {
    return { at: due, reasoning: [`working-day relief not applied: fact "${unknown.fact}" not supplied, so "${describeCondition(unknown)}" cannot be ruled out`] };
  }
  const resolved = resolveCalendar(relief, calendars, facts, fallbackZone);
  if ('missing' in resolved) return { at: due, reasoning: [`working-day relief not applied: ${resolved.missing}`] };
  const { calendar, zone } = resolved;
  const dueDate = due.setZone(zone).toISODate()!;
  const closed = calendar.closedBecause(dueDate);
  if (closed === undefined) {
    return { at: due, reasoning: [`${localLabel(due, zone)} is on working day ${dueDate} (${calendar.label}): no relief needed`] };
  }
  const next = nextBusinessDay(dueDate, calendar);
  const at = DateTime.fromISO(next.date, { zone }).set(NOON);
  return {
    at,
    reasoning: [
      `deadline ${localLabel(due, zone)} falls on ${dueDate}, ${closed} (${calendar.label})`,
      ...next.skipped,
      `working-day relief: may be met by 12:00 ${zone} on the next working day ${next.date}`,
    ],
  };
}
