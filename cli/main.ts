/* eslint-disable @typescript-eslint/no-require-imports -- lazy requires: a command loads only its own modules */
import { Command, CommanderError } from 'commander';
import { CliError, cliTarget } from './api-client';

const program = new Command('firebreak').description('Incident-response runbooks on Temporal').showHelpAfterError();

// Each command group is required only when its command runs (start-up was 10x a bare `node` when every command's
// dependencies, Temporal's client and gRPC among them, loaded for every command). `names` are the top-level commands
// a group registers; a name not listed (or `--help`) registers every group, so a stale list costs time, never a command.
const dataDir = { dataDir: () => cliTarget().dataDir };
const groups: { names: string[]; register(program: Command): void }[] = [
  {
    names: ['start', 'worker', 'serve'],
    register(p) {
      // The process commands load the Temporal worker and server code.
      const processes = (): typeof import('../worker/processes') => require('../worker/processes');
      p.command('start').description('run everything here: embedded Temporal (unless TEMPORAL_ADDRESS), worker and HTTP service').action(() => processes().startAll());
      p.command('worker').description('run a Temporal worker replica (TEMPORAL_ADDRESS)').action(() => processes().startWorkerOnly());
      p.command('serve').description('run an HTTP replica: alert ingress and HTTP API (TEMPORAL_ADDRESS)').action(() => processes().startServiceOnly());
    },
  },
  { names: ['incidents', 'incident', 'approve', 'reject', 'answer', 'abort', 'resolve', 'stop-clock', 'run', 'declare', 'runbooks'], register: (p) => (require('./commands/incidents') as typeof import('./commands/incidents')).registerIncidentCommands(p) },
  { names: ['alert', 'sources'], register: (p) => (require('./commands/alert') as typeof import('./commands/alert')).registerAlertCommands(p) },
  { names: ['config'], register: (p) => (require('./commands/config') as typeof import('./commands/config')).registerConfigCommands(p) },
  { names: ['runbook'], register: (p) => (require('./commands/runbook') as typeof import('./commands/runbook')).registerRunbookCommands(p) },
  { names: ['deadlines'], register: (p) => (require('./commands/deadlines') as typeof import('./commands/deadlines')).registerDeadlinesCommands(p) },
  { names: ['notices'], register: (p) => (require('./commands/notices') as typeof import('./commands/notices')).registerNoticesCommands(p) },
  { names: ['audit'], register: (p) => (require('./commands/audit') as typeof import('./commands/audit')).registerAuditCommands(p, dataDir) },
  { names: ['evidence'], register: (p) => (require('./commands/evidence') as typeof import('./commands/evidence')).registerEvidenceCommands(p) },
  { names: ['keys'], register: (p) => (require('./commands/keys') as typeof import('./commands/keys')).registerKeysCommands(p, dataDir) },
  { names: ['report', 'export'], register: (p) => (require('./commands/report') as typeof import('./commands/report')).registerReportCommands(p) },
];

const requested = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
const group = groups.find((g) => requested !== undefined && g.names.includes(requested));
group?.register(program);
if (!group || !program.commands.some((c) => c.name() === requested)) {
  for (const other of groups) if (other !== group) other.register(program);
}

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof CliError) {
    process.stderr.write(`firebreak: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  // Loaded only now: the config module and its schema are not needed by commands that succeed without it.
  if (error instanceof (require('../worker/config') as typeof import('../worker/config')).ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`firebreak: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
