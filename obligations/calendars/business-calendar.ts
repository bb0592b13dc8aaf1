import Holidays, { type HolidaysTypes } from 'date-holidays';
import { DateTime } from 'luxon';
import type { CalendarDefinition, Closure } from '../schema';
import { usFederalHolidays } from './us-federal';

/** A holiday calendar judged on local dates (`YYYY-MM-DD`); time zones are the caller's concern. */
export interface BusinessCalendar {
  /** Human-readable, e.g. `US federal holidays (5 U.S.C. 6103)`. */
  readonly label: string;
  /** Why the date is not a business day (`Saturday`, `Thanksgiving Day`), or undefined when it is one. */
  closedBecause(date: string): string | undefined;
}

/** Name → calendar, built once from the catalogue's `calendars` section. */
export type CalendarSet = ReadonlyMap<string, BusinessCalendar>;


function weekendName(date: string): string | undefined {
  const weekday = DateTime.fromISO(date, { zone: 'utc' }).weekday;
  if (weekday === 6) return 'Saturday';
  if (weekday === 7) return 'Sunday';
  return undefined;
}

/** Builds a calendar from a year → closed-dates function, caching each year's table. */
function fromYearTable(label: string, holidaysOf: (year: number) => Map<string, string>, closures: readonly Closure[]): BusinessCalendar {
  const byYear = new Map<number, Map<string, string>>();
  const overrides = new Map(closures.map((c) => [c.date, `${c.reason} (one-off closure)`]));
  return {
    label,
    closedBecause(date) {
      const weekend = weekendName(date);
      if (weekend) return weekend;
      const override = overrides.get(date);
      if (override) return override;
      const year = Number(date.slice(0, 4));
      let table = byYear.get(year);
      if (!table) byYear.set(year, (table = holidaysOf(year)));
      return table.get(date);
    },
  };
}

function usFederalTable(year: number): Map<string, string> {
  return new Map(
    usFederalHolidays(year).map((h) => [
      h.date,
      h.actualDate ? `${h.name} (US federal holiday, observed; falls on ${h.actualDate})` : `${h.name} (US federal holiday)`,
    ]),
  );
}

// Observances (Valentine's Day) and optional days never close anything, so only listed types count.
function dateHolidaysTable(country: string, region: string | undefined, types: HolidaysTypes.HolidayType[]): (year: number) => Map<string, string> {
  const source = region ? new Holidays(country, region, { types, languages: 'en' }) : new Holidays(country, { types, languages: 'en' });
  const where = region ? `${country}-${region}` : country;
  return (year) => {
    const table = new Map<string, string>();
    for (const h of source.getHolidays(year)) {
      // `date` is the local calendar date ("2026-12-25 00:00:00"); multi-day entries are rare and start there.
      table.set(h.date.slice(0, 10), `${h.name} (${where} ${h.type} holiday)`);
    }
    return table;
  };
}

/** Whether `date-holidays` knows the country (and region, when given). */
export function isKnownHolidayRegion(country: string, region?: string): boolean {
  const countries = new Holidays().getCountries();
  if (!(country in countries)) return false;
  if (region === undefined) return true;
  return region in (new Holidays().getStates(country) ?? {});
}

/** Builds one calendar. Throws for a `date-holidays` country the package does not know. */
export function createCalendar(definition: CalendarDefinition): BusinessCalendar {
  switch (definition.kind) {
    case 'us-federal':
      return fromYearTable('US federal holidays (5 U.S.C. 6103)', usFederalTable, definition.closures);
    case 'date-holidays': {
      if (!isKnownHolidayRegion(definition.country, definition.region)) {
        throw new Error(`date-holidays has no calendar for ${definition.country}${definition.region ? `-${definition.region}` : ''}`);
      }
      const where = definition.region ? `${definition.country}-${definition.region}` : definition.country;
      return fromYearTable(`${where} public and bank holidays`, dateHolidaysTable(definition.country, definition.region, definition.types), definition.closures);
    }
  }
}

/** Builds every calendar the catalogue names. */
export function createCalendars(definitions: Readonly<Record<string, CalendarDefinition>>): CalendarSet {
  return new Map(Object.entries(definitions).map(([name, definition]) => [name, createCalendar(definition)]));
}

// Building a date-holidays calendar parses its rule data (tens of ms), so reuse one per country.
const memberStateCalendars = new Map<string, BusinessCalendar>();

/** The reporting entity's own country calendar (public and bank holidays), for reliefs that follow the Member State. */
export function memberStateCalendar(country: string): BusinessCalendar {
  let calendar = memberStateCalendars.get(country);
  if (!calendar) {
    calendar = createCalendar({ kind: 'date-holidays', country, types: ['public', 'bank'], closures: [] });
    memberStateCalendars.set(country, calendar);
  }
  return calendar;
}
