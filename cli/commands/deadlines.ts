import { InvalidArgumentError, type Command } from 'commander';
import { IANAZone } from 'luxon';
import { createCalendars } from '../../obligations/calendars/business-calendar';
import type { Facts } from '../../obligations/conditions';
import { DeadlineInputError, type Trigger } from '../../obligations/deadlines';
import { explainObligation } from '../../obligations/explain';
import { CatalogueValidationError } from '../../obligations/issues';
import { formatIssue } from '../../shared/source-issue';
import { BUNDLED_CATALOGUE_PATH, loadCatalogueFile } from '../../obligations/load';
import { EventAnchor, type Catalogue } from '../../obligations/schema';

/** Where command output goes; tests pass their own. */
export interface DeadlinesIo {
  out(text: string): void;
}

const stdoutIo: DeadlinesIo = { out: (text) => process.stdout.write(text) };

function keyValue(raw: string): [string, string] {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got "${raw}"`);
  return [raw.slice(0, eq), raw.slice(eq + 1)];
}

function collect(raw: string, previous: Record<string, string>): Record<string, string> {
  const [key, value] = keyValue(raw);
  return { ...previous, [key]: value };
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

function loadOrExplain(command: Command, file: string): Catalogue {
  try {
    return loadCatalogueFile(file);
  } catch (error) {
    if (error instanceof CatalogueValidationError) {
      command.error(error.issues.map((issue) => formatIssue(file, issue)).join('\n'), { code: error.code });
    }
    throw error;
  }
}

interface ExplainFlags {
  from: string;
  zone?: string;
  anchor: Record<string, string>;
  fact: Record<string, string>;
  submitted: Record<string, string>;
  catalogue: string;
}

/**
 * Adds `deadlines explain <obligation> --from <ts>` and `deadlines list [--json]` to the program.
 * Output goes to `io` (stdout by default); bad input ends through `command.error`, so callers
 * that use `exitOverride()` get a CommanderError instead of an exit.
 */
export function registerDeadlinesCommands(program: Command, io: DeadlinesIo = stdoutIo): void {
  const deadlines = program.command('deadlines').description('reporting-obligation deadlines');

  deadlines
    .command('explain')
    .description('show every stage deadline of an obligation, in UTC and local time, with the reasoning')
    .argument('<obligation>', 'obligation id, e.g. sec-8k-105')
    .requiredOption('--from <timestamp>', "time of the obligation's trigger anchor, ISO-8601 with offset")
    .option('--zone <zone>', "IANA zone for the local column (default: the obligation's)")
    .option('--anchor <name=timestamp>', 'another anchor time, e.g. awareness=2026-07-10T08:00:00Z (repeatable)', collect, {})
    .option('--fact <name=value>', 'a fact for conditions, e.g. maxResidentsInOneState=612 (repeatable)', collect, {})
    .option('--submitted <stage=timestamp>', 'actual submission of a stage; later stages chain from it (repeatable)', collect, {})
    .option('--catalogue <file>', 'catalogue file', BUNDLED_CATALOGUE_PATH)
    .action(function (this: Command, obligationId: string, flags: ExplainFlags) {
      const catalogue = loadOrExplain(this, flags.catalogue);
      const obligation = catalogue.obligations.find((o) => o.id === obligationId);
      if (!obligation) this.error(`unknown obligation "${obligationId}"; see \`firebreak deadlines list\``, { code: 'obligation.unknown' });
      if (flags.zone !== undefined && !IANAZone.isValidZone(flags.zone)) this.error(`"${flags.zone}" is not an IANA time zone`, { code: 'zone.invalid' });
      try {
        const trigger: Trigger = { at: flags.from, anchors: toAnchors(flags.anchor) };
        const text = explainObligation(obligation, trigger, {
          calendars: createCalendars(catalogue.calendars),
          facts: toFacts(flags.fact),
          submissions: flags.submitted,
          zone: flags.zone,
        });
        io.out(text);
      } catch (error) {
        if (error instanceof DeadlineInputError || error instanceof InvalidArgumentError) this.error(error.message, { code: 'deadline.invalid_input' });
        throw error;
      }
    });

  deadlines
    .command('list')
    .description('list the obligations in the catalogue')
    .option('--json', 'print the obligations as JSON')
    .option('--catalogue <file>', 'catalogue file', BUNDLED_CATALOGUE_PATH)
    .action(function (this: Command, flags: { json?: boolean; catalogue: string }) {
      const catalogue = loadOrExplain(this, flags.catalogue);
      if (flags.json) {
        io.out(`${JSON.stringify({ version: catalogue.version, obligations: catalogue.obligations }, null, 2)}\n`);
        return;
      }
      const width = Math.max(...catalogue.obligations.map((o) => o.id.length));
      const rows = catalogue.obligations.map((o) => {
        const stages = o.stages.map((s) => s.id).join(', ');
        return `${o.id.padEnd(width)}  ${o.enabled ? 'enabled ' : 'disabled'}  ${o.status.padEnd(2)}  ${o.jurisdiction}: ${o.title} [${stages}]`;
      });
      io.out(`catalogue ${catalogue.version}\n${rows.join('\n')}\n`);
    });
}
