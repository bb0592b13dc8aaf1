import { Command, CommanderError } from 'commander';
import { ConfigError } from '../worker/config';
import { CliError } from './api-client';
import { registerAlertCommands } from './commands/alert';
import { registerAuditCommands } from './commands/audit';
import { registerEvidenceCommands } from './commands/evidence';
import { registerKeysCommands } from './commands/keys';
import { registerReportCommands } from './commands/report';
import { registerDeadlinesCommands } from './commands/deadlines';
import { registerNoticesCommands } from './commands/notices';
import { registerIncidentCommands } from './commands/incidents';
import { registerRunbookCommands } from './commands/runbook';
import { cliTarget } from './api-client';

const program = new Command('firebreak').description('Incident-response runbooks on Temporal').showHelpAfterError();

// The process commands load the Temporal worker and server code; reads and decisions don't need it, so they stay quick.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require: tsx's CommonJS hook resolves .ts, its ESM import() path does not
const processes = async (): Promise<typeof import('../worker/processes')> => require('../worker/processes');
program.command('start').description('run everything here: embedded Temporal (unless TEMPORAL_ADDRESS), worker and HTTP service').action(async () => (await processes()).startAll());
program.command('worker').description('run a Temporal worker replica (TEMPORAL_ADDRESS)').action(async () => (await processes()).startWorkerOnly());
program.command('serve').description('run an HTTP replica: alert ingress and HTTP API (TEMPORAL_ADDRESS)').action(async () => (await processes()).startServiceOnly());
registerIncidentCommands(program);
registerAlertCommands(program);
registerRunbookCommands(program);
registerDeadlinesCommands(program);
registerNoticesCommands(program);
registerAuditCommands(program, { dataDir: () => cliTarget().dataDir });
registerEvidenceCommands(program);
registerKeysCommands(program, { dataDir: () => cliTarget().dataDir });
registerReportCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof CliError) {
    process.stderr.write(`firebreak: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
  process.stderr.write(`firebreak: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
