import path from 'node:path';
import { loadRunbookLibrary } from '../runbooks/load';
import { missingConfigIssues } from '../runbooks/validate/config-needs';
import type { Logger } from '../shared/logger';
import { formatIssue } from '../shared/source-issue';
import type { Config } from './config';

/**
 * Logs, once at start, each config key a library runbook requires that this config does not set, with the file:line:col
 * of its declaration: such a runbook is passed over by routing and refused when declared until the key is set.
 */
export async function logRunbookNeeds(config: Config, log: Logger): Promise<void> {
  try {
    const { runbooks } = await loadRunbookLibrary(config.runbooksDir);
    const issues = await missingConfigIssues(runbooks, config);
    for (const { file, issue } of issues) log.warn({ code: issue.code }, `runbook cannot run with this config: ${formatIssue(path.relative(process.cwd(), file), issue)}`);
    if (issues.length > 0) log.warn({ runbooks: [...new Set(issues.map((i) => i.file))].length }, 'some runbooks lack config they require; `firebreak config check` lists the same');
  } catch (error) {
    log.warn({ err: error }, 'could not check what the runbooks require of the config');
  }
}
