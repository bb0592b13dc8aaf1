import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runbookToDot, runbookToMermaid } from '../../runbooks/graph';
import type { Runbook } from '../../runbooks/schema/runbook';
import { formatIssue } from '../../shared/source-issue';
import { runbookJsonSchemaText, RUNBOOK_JSON_SCHEMA_FILE, writeRunbookJsonSchema } from '../../runbooks/json-schema';
import { loadRunbookFile, loadRunbookLibrary, loadRunbooks } from '../../runbooks/load';
import { dotToSvg } from './render-svg';

/** The shipped library, wherever the command is run from. */
export const DEFAULT_RUNBOOK_LIBRARY = join(__dirname, '..', '..', 'runbooks', 'library');

/** What a command prints and the exit code it ends with; commands are built from these so tests need no process. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Checks runbook files and directories together (child runbooks are resolved across all of them).
 * Exit code 0 when every file is valid, 1 with every problem listed as `file:line:col code: message`.
 */
export async function validateRunbooks(paths: readonly string[], configFile?: string): Promise<CommandOutput> {
  const missing = paths.filter((path) => !existsSync(path));
  if (missing.length > 0) return { stdout: '', stderr: missing.map((path) => `runbook validate: no such file or directory: ${path}\n`).join(''), exitCode: 2 };
  const { runbooks, issues } = await loadRunbooks(paths);
  if (configFile) {
    // Loaded on use: only this option needs the config schema.
    const { readLocatedConfig } = require('./config') as typeof import('./config');
    if (!existsSync(configFile)) return { stdout: '', stderr: `runbook validate: no such config file: ${configFile}\n`, exitCode: 2 };
    const located = readLocatedConfig(configFile);
    if (!located.ok) return { stdout: '', stderr: located.issues.map((issue) => `${formatIssue(configFile, issue)}\n`).join(''), exitCode: 1 };
    const { missingConfigIssues } = require('../../runbooks/validate/config-needs') as typeof import('../../runbooks/validate/config-needs');
    issues.push(...(await missingConfigIssues(runbooks, located.config)));
  }
  if (issues.length === 0) {
    const listed = runbooks.map(({ runbook, file }) => `  ${runbook.id} v${runbook.version}  ${file}\n`).join('');
    return { stdout: `${runbooks.length} runbook(s) OK\n${listed}`, stderr: '', exitCode: 0 };
  }
  const files = new Set(issues.map(({ file }) => file));
  const lines = issues.map(({ file, issue }) => `${formatIssue(file, issue)}\n`).join('');
  return { stdout: '', stderr: `${lines}${issues.length} problem(s) in ${files.size} file(s)\n`, exitCode: 1 };
}

export const GRAPH_FORMATS = ['dot', 'mermaid', 'svg'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** Draws one runbook, named by id (looked up in `library`) or by file path. Exit 1 when it has problems, 2 when not found. */
export async function graphRunbook(ref: string, format: GraphFormat, library: string = DEFAULT_RUNBOOK_LIBRARY): Promise<CommandOutput> {
  const draw = format === 'mermaid' ? runbookToMermaid : format === 'svg' ? (runbook: Runbook) => dotToSvg(runbookToDot(runbook)) : runbookToDot;
  if (/\.ya?ml$/.test(ref) || existsSync(ref)) {
    const result = await loadRunbookFile(ref);
    if (!result.ok) return { stdout: '', stderr: result.issues.map((issue) => `${formatIssue(ref, issue)}\n`).join(''), exitCode: 1 };
    return { stdout: await draw(result.pinned.runbook), stderr: '', exitCode: 0 };
  }
  const { runbooks } = await loadRunbookLibrary(library);
  const found = runbooks.find(({ runbook }) => runbook.id === ref);
  if (!found) return { stdout: '', stderr: `runbook graph: no valid runbook with id "${ref}" in ${library} (run "runbook validate")\n`, exitCode: 2 };
  return { stdout: await draw(found.runbook), stderr: '', exitCode: 0 };
}

function finish(output: CommandOutput): void {
  process.stdout.write(output.stdout);
  process.stderr.write(output.stderr);
  process.exitCode = output.exitCode;
}

/** Adds `runbook validate`, `runbook graph`, `runbook test` and `runbook schema`. */
export function registerRunbookCommands(program: Command): void {
  const runbook = program.command('runbook').description('check, draw and describe runbooks');
  runbook
    .command('validate')
    .description('load runbook files or directories and list every problem as file:line:col code: message (exit 1 when any)')
    .argument('[paths...]', 'runbook files or directories', [DEFAULT_RUNBOOK_LIBRARY])
    .option('--config <file>', 'also check what each runbook requires (contacts, endpoints, secrets, containment) against this config file (default: FIREBREAK_CONFIG)')
    .action(async (paths: string[], opts: { config?: string }) => finish(await validateRunbooks(paths, opts.config ?? process.env.FIREBREAK_CONFIG)));
  runbook
    .command('graph')
    .description('print a runbook as Graphviz DOT, Mermaid text or an SVG picture')
    .argument('<id|file>', 'a runbook id from the library, or a runbook file')
    .option('--format <format>', GRAPH_FORMATS.join(', '), 'dot')
    .option('--library <dir>', 'where to look up runbook ids', DEFAULT_RUNBOOK_LIBRARY)
    .action(async (ref: string, opts: { format: string; library: string }) => {
      if (!(GRAPH_FORMATS as readonly string[]).includes(opts.format)) {
        finish({ stdout: '', stderr: `runbook graph: --format must be one of ${GRAPH_FORMATS.join(', ')}\n`, exitCode: 2 });
        return;
      }
      finish(await graphRunbook(ref, opts.format as GraphFormat, opts.library));
    });
  runbook
    .command('test')
    .description('run a runbook against a recorded alert with scripted answers and approvals on the time-skipping test server; print the path it took')
    .argument('<file>', 'the runbook file')
    .option('--alert <json>', 'the recorded alert: a JSON file, or inline JSON')
    .option('--script <yaml>', 'the people: [{ step, answer|approve|reject|resolve|abort, as, roles, after? }], plus failures and expect')
    .option('--library <dir>', 'where child runbooks are looked up (default: the file\'s directory)')
    .option('--config <file>', 'a Firebreak config file: containment steps also print the exact requests its vendors would be sent (nothing is sent)')
    .action(async (file: string, opts: { alert?: string; script?: string; library?: string; config?: string }) => {
      // Loaded on use: the test server client and worker would slow every other runbook command's start.
      // require, not import(): the CLI runs as CommonJS through tsx's require hook, which a dynamic import() bypasses.
      const { testRunbook } = require('../runbook-test/command') as typeof import('../runbook-test/command');
      finish(await testRunbook({ file, ...opts }));
    });
  runbook
    .command('schema')
    .description('print the JSON Schema for runbook files (for editors)')
    .option('--write', `regenerate ${RUNBOOK_JSON_SCHEMA_FILE}`)
    .action(async (opts: { write?: boolean }) => {
      if (opts.write) await writeRunbookJsonSchema();
      else process.stdout.write(runbookJsonSchemaText());
    });
}
