import assert from 'node:assert/strict';
import { RUNBOOK_ISSUE_CODES, RunbookValidationError } from '../../runbooks/issues';
import { formatIssue } from '../../shared/source-issue';

describe('runbook issue codes', () => {
  it('never change spelling once released (frozen list)', () => {
    assert.deepEqual(
      [...RUNBOOK_ISSUE_CODES],
      [
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
      ],
    );
  });

  it('are unique and dotted snake case', () => {
    assert.equal(new Set(RUNBOOK_ISSUE_CODES).size, RUNBOOK_ISSUE_CODES.length);
    for (const code of RUNBOOK_ISSUE_CODES) assert.match(code, /^[a-z]+\.[a-z_]+$/);
  });

  it('formats as file:line:column code', () => {
    const line = formatIssue('library/x.yaml', { code: 'step.unknown_action', message: 'm', path: ['steps', 1, 'action'], line: 14, column: 7 });
    assert.match(line, /^library\/x\.yaml:14:7 step\.unknown_action: /);
  });

  it('formats an issue without a position as just the file', () => {
    assert.match(formatIssue('x.yaml', { code: 'yaml.too_large', message: 'm', path: [] }), /^x\.yaml yaml\.too_large: /);
  });

  it('carries the file and every issue in RunbookValidationError', () => {
    const issues = [{ code: 'schema.invalid' as const, message: 'a', path: [] }, { code: 'cel.syntax' as const, message: 'b', path: ['match'] }];
    const error = new RunbookValidationError('x.yaml', issues);
    assert.equal(error.code, 'runbook.invalid');
    assert.equal(error.file, 'x.yaml');
    assert.deepEqual(error.issues, issues);
  });
});
