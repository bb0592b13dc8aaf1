import { InvalidArgumentError, type Command } from 'commander';
import { IANAZone } from 'luxon';
import { createCalendars } from '../../obligations/calendars/business-calendar';
import type { Facts } from '../../obligations/conditions';
import { DeadlineInputError, type Trigger } from '../../obligations/deadlines';
import { explainObligation } from '../../obligations/explain';
import { EventAnchor, type Catalogue } from '../../obligations/schema';

/*
 * `firebreak deadlines explain`'s work, required only when that command runs: its calendars (date-holidays, luxon) and
 * schemas are most of what `deadlines list` would otherwise load at each start.
 */

export interface ExplainFlags {
  from: string;
  zone?: string;
  anchor: Record<string, string>;
  fact: Record<string, string>;
  submitted: Record<string, string>;
  catalogue: string;
}

// Facts arrive as text; numbers and booleans are typed so thresholds like `gt 500` compare numerically.
function toFacts(raw: Record<string, string>): Facts {
  const facts: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === 'true' || value === 'false') facts[key] = value === 'true';
    else if (value.trim() !== '' && Number.isFinite(Number(value))) facts[key] = Number(value);
    else facts[key] = value;
  }
  return facts;
}

function toAnchors(raw: Record<string, string>): Trigger['anchors'] {
  const anchors: NonNullable<Trigger['anchors']> = {};
  for (const [key, value] of Object.entries(raw)) {
    const anchor = EventAnchor.safeParse(key);
    if (!anchor.success) throw new InvalidArgumentError(`"${key}" is not an anchor (${EventAnchor.options.join(', ')})`);
    anchors[anchor.data] = value;
  }
  return anchors;
}

/** The explanation of `obligationId` in `catalogue`; bad input ends through `command.error`. */
export function explainDeadlines(command: Command, catalogue: Catalogue, obligationId: string, flags: ExplainFlags): string {
  const obligation = catalogue.obligations.find((o) => o.id === obligationId);
  if (!obligation) command.error(`unknown obligation "${obligationId}"; see \`firebreak deadlines list\``, { code: 'obligation.unknown' });
  if (flags.zone !== undefined && !IANAZone.isValidZone(flags.zone)) command.error(`"${flags.zone}" is not an IANA time zone`, { code: 'zone.invalid' });
  try {
    const trigger: Trigger = { at: flags.from, anchors: toAnchors(flags.anchor) };
    return explainObligation(obligation, trigger, {
      calendars: createCalendars(catalogue.calendars),
      facts: toFacts(flags.fact),
      submissions: flags.submitted,
      zone: flags.zone,
    });
  } catch (error) {
    if (error instanceof DeadlineInputError || error instanceof InvalidArgumentError) command.error(error.message, { code: 'deadline.invalid_input' });
    throw error;
  }
}
