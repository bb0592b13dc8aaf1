/* eslint-disable @typescript-eslint/no-require-imports -- each subcommand loads only what it needs (see deadlines-explain.ts) */
import { InvalidArgumentError, type Command } from 'commander';
import { CatalogueValidationError } from '../../obligations/issues';
import { BUNDLED_CATALOGUE_PATH, loadCatalogueFile } from '../../obligations/load';
import type { Catalogue } from '../../obligations/schema';
import type { ExplainFlags } from './deadlines-explain';

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

function loadOrExplain(command: Command, file: string): Catalogue {
  try {
    return loadCatalogueFile(file);
  } catch (error) {
    if (error instanceof CatalogueValidationError) {
      const { formatIssue } = require('../../shared/source-issue') as typeof import('../../shared/source-issue');
      command.error(error.issues.map((issue) => formatIssue(file, issue)).join('\n'), { code: error.code });
    }
    throw error;
  }
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
      const { explainDeadlines } = require('./deadlines-explain') as typeof import('./deadlines-explain');
      io.out(explainDeadlines(this, catalogue, obligationId, flags));
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
