import { isKnownHolidayRegion } from './calendars/business-calendar';
import type { ObligationIssue } from './issues';
import type { Catalogue } from './schema';

/** The calendar name resolved per computation from the `memberState` fact, not from `calendars:`. */
export const MEMBER_STATE_CALENDAR = 'member-state';

type Unlocated = Omit<ObligationIssue, 'line' | 'column'>;

function checkCalendars(catalogue: Catalogue): Unlocated[] {
  const issues: Unlocated[] = [];
  for (const [name, definition] of Object.entries(catalogue.calendars)) {
    if (definition.kind === 'date-holidays' && !isKnownHolidayRegion(definition.country, definition.region)) {
      issues.push({
        code: 'calendar.unknown_country',
        message: `date-holidays has no calendar for "${definition.country}${definition.region ? `-${definition.region}` : ''}"`,
        path: ['calendars', name, definition.region ? 'region' : 'country'],
      });
    }
  }
  return issues;
}

/**
 * Checks across fields that the schema cannot express: unique ids, stage chains that point to an
 * earlier stage, calendars that exist, and unverified obligations left disabled.
 */
export function checkCatalogue(catalogue: Catalogue): Unlocated[] {
  const issues = checkCalendars(catalogue);
  // `member-state` only makes sense for reliefs: a business-day count needs a fixed calendar.
  const knownCalendar = (name: string) => name in catalogue.calendars;
  const knownReliefCalendar = (name: string) => name === MEMBER_STATE_CALENDAR || knownCalendar(name);
  const seenObligations = new Set<string>();
  catalogue.obligations.forEach((obligation, o) => {
    const at = ['obligations', o];
    if (seenObligations.has(obligation.id)) {
      issues.push({ code: 'obligation.duplicate_id', message: `obligation id "${obligation.id}" is used twice`, path: [...at, 'id'] });
    }
    seenObligations.add(obligation.id);
    if (!obligation.verified && obligation.enabled) {
      issues.push({ code: 'obligation.unverified_enabled', message: 'unverified obligations must set enabled: false', path: [...at, 'enabled'] });
    }
    const stageIndex = new Map<string, number>();
    obligation.stages.forEach((stage, s) => {
      const stageAt = [...at, 'stages', s];
      if (stageIndex.has(stage.id)) {
        issues.push({ code: 'stage.duplicate_id', message: `stage id "${stage.id}" is used twice`, path: [...stageAt, 'id'] });
      } else {
        stageIndex.set(stage.id, s);
      }
      if (stage.start?.anchor === 'prior-submission') {
        const ref = stage.start.stage;
        const target = obligation.stages.findIndex((other) => other.id === ref);
        if (target === -1) {
          issues.push({ code: 'stage.unknown_ref', message: `"${ref}" is not a stage of ${obligation.id}`, path: [...stageAt, 'start', 'stage'] });
        } else if (target >= s) {
          issues.push({ code: 'stage.chain_order', message: `"${ref}" must be an earlier stage`, path: [...stageAt, 'start', 'stage'] });
        }
      }
      if (stage.clock.unit === 'business-days' && !knownCalendar(stage.clock.calendar)) {
        issues.push({ code: 'calendar.unknown_ref', message: `no calendar "${stage.clock.calendar}"`, path: [...stageAt, 'clock', 'calendar'] });
      }
      if (stage.relief && !knownReliefCalendar(stage.relief.calendar)) {
        issues.push({ code: 'calendar.unknown_ref', message: `no calendar "${stage.relief.calendar}"`, path: [...stageAt, 'relief', 'calendar'] });
      }
    });
  });
  return issues;
}
