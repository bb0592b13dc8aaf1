import type { SourceIssue } from '../shared/source-issue';

/**
 * Stable codes for every problem the runbook loader can report. Tools, tests and people grep for
 * these: once released, a code's spelling never changes (test/runbooks/issues.test.ts freezes it).
 */
export const RUNBOOK_ISSUE_CODES = [
  'schema.invalid',
  'yaml.syntax',
  'yaml.duplicate_key',
  'yaml.too_large',
  'yaml.alias_limit',
  'yaml.encoding',
  'step.unknown_kind',
  'step.ambiguous_kind',
  'step.duplicate_id',
  'step.unknown_action',
  'step.invalid_input',
  'step.no_undo',
  'step.unknown_role',
  'step.unknown_clock',
  'cel.syntax',
  'cel.type',
  'template.syntax',
  'template.unknown_var',
  'runbook.cycle',
  'runbook.unknown_child',
  'runbook.duplicate_id',
  'requires.undeclared',
  'requires.missing_config',
] as const;

export type RunbookIssueCode = (typeof RUNBOOK_ISSUE_CODES)[number];

/** One problem in a runbook: `path` is the path inside the YAML document; line and column are 1-based. */
export type RunbookIssue = SourceIssue<RunbookIssueCode>;

/** Thrown by callers that need a runbook and got a file with problems; carries every problem, not the first. */
export class RunbookValidationError extends Error {
  readonly code = 'runbook.invalid';
  constructor(
    readonly file: string,
    readonly issues: readonly RunbookIssue[],
  ) {
    super(`${file}: ${issues.length} problem(s) in runbook`);
    this.name = 'RunbookValidationError';
  }
}
