import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadRunbooks } from '../../runbooks/load';
import { missingConfigIssues } from '../../runbooks/validate/config-needs';
import { formatIssue, parseLocatedYaml, type SourceIssue } from '../../shared/source-issue';
import { Config } from '../../worker/config';
import { IDENTITY_VENDORS } from '../../worker/identity-cloud-vendors';
import { EDGE_VENDORS, EDR_VENDORS } from '../../worker/vendors-config';
import type { CommandOutput } from './runbook';

/*
 * `firebreak config check [file]`: the config file as start-up would read it, every problem with file:line:col, and
 * then what each runbook of the library needs from it (`requires.config`). Exit 0 when the file is valid and every
 * runbook can run with it; 1 with every problem listed; 2 when the file cannot be read.
 */

export type LocatedConfig = { ok: true; config: Config } | { ok: false; issues: SourceIssue[] };

/** Reads a config file (YAML) and validates it, each problem located in the file. Environment variables are not applied. */
export function readLocatedConfig(file: string): LocatedConfig {
  const text = readFileSync(file, 'utf8');
  const { doc, errors, locate } = parseLocatedYaml(text);
  if (errors.length > 0) return { ok: false, issues: errors.map(({ message, line, column }) => ({ code: 'config.syntax', message, path: [], line, column })) };
  const raw: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, issues: [{ code: 'config.invalid', message: 'the top level must be a mapping', path: [], line: 1, column: 1 }] };
  const fields = raw as Record<string, unknown>;
  const issues: SourceIssue[] = [];
  // The schema lets unknown keys through (environment and file share it); in a file a top-level typo is a setting lost.
  const known = new Set(Object.keys(Config.shape));
  for (const key of Object.keys(fields)) {
    if (!known.has(key)) issues.push({ code: 'config.unknown_key', message: `"${key}" is not a setting; the top-level sections are ${[...known].join(', ')}`, path: [key], ...locate([key], 'key') });
  }
  const parsed = Config.safeParse({ ...fields, dataDir: path.resolve(typeof fields.dataDir === 'string' ? fields.dataDir : '.firebreak') });
  if (!parsed.success) {
    for (const problem of parsed.error.issues) {
      const at = problem.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
      issues.push({ code: 'config.invalid', message: problem.message, path: at, ...locate(at) });
    }
  }
  if (parsed.success) issues.push(...containmentIssues(parsed.data, locate));
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return issues.length > 0 || !parsed.success ? { ok: false, issues } : { ok: true, config: parsed.data };
}

/** The vendors each containment family can name; any other name is an endpoint (the generic HTTP contract). */
const VENDORS_BY_FAMILY: Record<string, readonly string[]> = { identity: IDENTITY_VENDORS, host: EDR_VENDORS, network: [...EDGE_VENDORS, 'aws'], cloud: ['aws'] };

/** A containment adapter must lead somewhere: a vendor with its settings, or a configured endpoint (start-up refuses otherwise). */
function containmentIssues(config: Config, locate: ReturnType<typeof parseLocatedYaml>['locate']): SourceIssue[] {
  const issues: SourceIssue[] = [];
  for (const [family, name] of Object.entries(config.containment) as [string, string | undefined][]) {
    if (!name) continue;
    const at = ['containment', family];
    const vendors = config.vendors as Record<string, unknown>;
    if (VENDORS_BY_FAMILY[family]?.includes(name)) {
      if (!vendors[name]) issues.push({ code: 'config.invalid', message: `${name} needs its settings under vendors.${name}`, path: at, ...locate(at) });
    } else if (!config.endpoints[name]) {
      issues.push({ code: 'config.invalid', message: `"${name}" is neither a ${family} vendor (${VENDORS_BY_FAMILY[family]?.join(', ')}) nor an endpoint under endpoints`, path: at, ...locate(at) });
    }
  }
  return issues;
}

/** The file `config check` reads when none is named: the one start-up would read. */
export const configuredFile = (): string | undefined => process.env.FIREBREAK_CONFIG;

export async function checkConfig(file: string | undefined, options: { runbooks?: string[] } = {}): Promise<CommandOutput> {
  if (!file) return { stdout: '', stderr: 'config check: name a config file, or set FIREBREAK_CONFIG\n', exitCode: 2 };
  if (!existsSync(file)) return { stdout: '', stderr: `config check: no such file: ${file}\n`, exitCode: 2 };
  const located = readLocatedConfig(file);
  if (!located.ok) {
    const lines = located.issues.map((issue) => `${formatIssue(file, issue)}\n`).join('');
    return { stdout: '', stderr: `${lines}${located.issues.length} problem(s) in ${file}\n`, exitCode: 1 };
  }
  const dirs = options.runbooks ?? [located.config.runbooksDir];
  const { runbooks, issues } = await loadRunbooks(dirs);
  const needs = await missingConfigIssues(runbooks, located.config);
  const routing = routingIssues(file, located.config, new Set(runbooks.map((p) => p.runbook.id)));
  const problems: { file: string; issue: SourceIssue }[] = [...routing, ...issues, ...needs];
  if (problems.length > 0) {
    const lines = problems.map(({ file: where, issue }) => `${formatIssue(where, issue)}\n`).join('');
    const counts = `${routing.length} routing problem(s), ${needs.length} runbook requirement(s) not met, ${issues.length} runbook problem(s)`;
    return { stdout: '', stderr: `${lines}${file}: ${counts}\n`, exitCode: 1 };
  }
  return { stdout: `${file}: OK; every one of ${runbooks.length} runbook(s) has the config it needs\n`, stderr: '', exitCode: 0 };
}

/** Routing rules and the default runbook must name runbooks the library has: an alert routed to none is refused 422. */
function routingIssues(file: string, config: Config, library: ReadonlySet<string>): { file: string; issue: SourceIssue }[] {
  const { locate } = parseLocatedYaml(readFileSync(file, 'utf8'));
  const named: { runbook: string; path: (string | number)[] }[] = [
    ...config.routing.rules.map((rule, i) => ({ runbook: rule.runbook, path: ['routing', 'rules', i, 'runbook'] })),
    ...(config.routing.defaultRunbook ? [{ runbook: config.routing.defaultRunbook, path: ['routing', 'defaultRunbook'] }] : []),
    ...Object.entries(config.sources).flatMap(([name, source]) => source.routing.map((rule, i) => ({ runbook: rule.runbook, path: ['sources', name, 'routing', i, 'runbook'] }))),
  ];
  return named
    .filter(({ runbook }) => !library.has(runbook))
    .map(({ runbook, path: at }) => ({ file, issue: { code: 'config.unknown_runbook', message: `no runbook in the library has id "${runbook}"`, path: at, ...locate(at) } }));
}

function finish(output: CommandOutput): void {
  process.stdout.write(output.stdout);
  process.stderr.write(output.stderr);
  process.exitCode = output.exitCode;
}

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('check a Firebreak config file');
  config
    .command('check')
    .description('validate a config file (every problem as file:line:col code: message) and what each runbook needs from it; exit 1 on any problem')
    .argument('[file]', 'the config file (default: FIREBREAK_CONFIG)')
    .option('--runbooks <paths...>', 'runbook files or directories to check against it (default: the runbooksDir it configures)')
    .action(async (file: string | undefined, opts: { runbooks?: string[] }) => finish(await checkConfig(file ?? configuredFile(), opts)));
}
