import { createCalendars, type CalendarSet } from '../../obligations/calendars/business-calendar';
import type { StageDeadline } from '../../obligations/deadlines';
import { loadCatalogueFile } from '../../obligations/load';
import type { Catalogue, Obligation } from '../../obligations/schema';

let cached: { catalogue: Catalogue; calendars: CalendarSet } | undefined;

/** The shipped catalogue and its calendars, loaded once per test run. */
export function bundled(): { catalogue: Catalogue; calendars: CalendarSet } {
  if (!cached) {
    const catalogue = loadCatalogueFile();
    cached = { catalogue, calendars: createCalendars(catalogue.calendars) };
  }
  return cached;
}

export function obligation(id: string): Obligation {
  const found = bundled().catalogue.obligations.find((o) => o.id === id);
  if (!found) throw new Error(`no obligation ${id} in the bundled catalogue`);
  return found;
}

/** stage id -> dueAt (or the kind, for stages without one), for whole-table assertions. */
export function dueTable(deadlines: readonly StageDeadline[]): Record<string, string> {
  return Object.fromEntries(deadlines.map((d) => [d.stageId, d.kind === 'deadline' || d.kind === 'open' ? d.dueAt : d.kind]));
}

export function stage(deadlines: readonly StageDeadline[], id: string): StageDeadline {
  const found = deadlines.find((d) => d.stageId === id);
  if (!found) throw new Error(`no stage ${id}`);
  return found;
}
