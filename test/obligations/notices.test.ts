import assert from 'node:assert/strict';
import { GENERIC_NOTICE, NOTICE_ISSUE_CODES, type NoticeIssue, findNotice, loadNoticeLibrary, parseNotice, requiredContent } from '../../obligations/notices';
import { templateVariables } from '../../runbooks/template';
import { bundled, obligation } from './helpers';

// Line numbers below are counted by hand: line 1 is the opening `---`.
const VALID = `---
obligation: sec-8k-105
audience: public
subject: 'Item 1.05: {{incident.title}}'
covers:
  - item: Material aspects of the nature, scope and timing of the incident
    by: ['## Scope', '{{answers.scope}}']
  - item: Material impact or reasonably likely material impact, incl. on financial condition and results of operations
    by: ['{{answers.impact}}']
  - item: Statement of any required information not determined or unavailable at filing
    by: ['## Not yet determined']
---
## Scope
{{answers.scope}}

Impact: {{answers.impact}}

## Not yet determined
To follow in an 8-K/A.
`;

function issuesOf(text: string, file = 'sec-8k-105.public.md'): NoticeIssue[] {
  const result = parseNotice(text, file, bundled().catalogue);
  assert.equal(result.ok, false, 'expected the notice to be rejected');
  return result.ok ? [] : result.issues;
}

const codesOf = (issues: NoticeIssue[]) => issues.map((i) => i.code).sort();

describe('notice templates', () => {
  describe('the shipped templates', () => {
    const library = loadNoticeLibrary(bundled().catalogue);

    it('all load without issues', () => {
      assert.deepEqual(library.issues, []);
    });

    for (const [id, audience] of [
      ['gdpr-art33-sa', 'regulator'],
      ['gdpr-art34-ds', 'individuals'],
      ['sec-8k-105', 'public'],
      ['hipaa-individuals', 'individuals'],
      ['nis2-art23', 'regulator'],
      [GENERIC_NOTICE, 'customers'],
    ] as const) {
      it(`has a ${audience} notice for ${id}`, () => assert.ok(findNotice(library, id, audience)));
    }

    it("cover every required content item of their obligation with a placeholder or section that is in the text", () => {
      for (const notice of library.notices.filter((n) => n.obligation !== GENERIC_NOTICE)) {
        const claimed = new Map(notice.covers.map((c) => [c.item, c.by]));
        const placeholders = new Set([...templateVariables(notice.subject), ...templateVariables(notice.body)].map((v) => `{{${v.join('.')}}}`));
        const headings = new Set(notice.body.split('\n'));
        for (const item of requiredContent(obligation(notice.obligation), notice.stages)) {
          const by = claimed.get(item);
          assert.ok(by, `${notice.file}: "${item}" is not covered`);
          for (const where of by) assert.ok(placeholders.has(where) || headings.has(where), `${notice.file}: ${where} is not in the text`);
        }
      }
    });
  });

  it('parses a template whose covers match the catalogue', () => {
    const result = parseNotice(VALID, '/any/dir/sec-8k-105.public.md', bundled().catalogue);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
    assert.equal(result.notice.body.split('\n')[0], '## Scope');
  });

  it('reports required content nobody covers, at the covers list', () => {
    const text = VALID.replace(/ {2}- item: Statement[^\n]*\n[^\n]*\n/, '');
    const issues = issuesOf(text);
    assert.deepEqual(codesOf(issues), ['notice.item_uncovered']);
    assert.deepEqual(issues[0]!.path, ['covers']);
    assert.equal(issues[0]!.line, 6);
  });

  it('reports a covered item the obligation does not require and a placeholder absent from the text', () => {
    const text = VALID.replace("by: ['{{answers.impact}}']", "by: ['{{answers.impact-now}}']").replace('Material impact or', 'Impact or');
    const issues = issuesOf(text);
    assert.deepEqual(codesOf(issues), ['notice.coverage_absent', 'notice.item_uncovered', 'notice.unknown_item']);
    const absent = issues.find((i) => i.code === 'notice.coverage_absent')!;
    assert.deepEqual(absent.path, ['covers', 1, 'by', 0]);
    assert.equal(absent.line, 9);
  });

  it('reports an unknown obligation, a stage it lacks and a file named for something else', () => {
    assert.deepEqual(codesOf(issuesOf(VALID.replace('obligation: sec-8k-105', 'obligation: sec-8k-999'))), ['notice.file_name_mismatch', 'notice.unknown_obligation']);
    assert.deepEqual(codesOf(issuesOf(VALID.replace('audience: public', 'audience: public\nstages: [form-9k]'))), ['notice.unknown_stage']);
    assert.deepEqual(codesOf(issuesOf(VALID, 'sec-8k-105.regulator.md')), ['notice.file_name_mismatch']);
  });

  it('locates template syntax errors and unknown roots in the body by line', () => {
    const issues = issuesOf(VALID.replace('To follow in an 8-K/A.', 'To follow {{answers.later'));
    assert.deepEqual(issues.map((i) => [i.code, i.line]), [['template.syntax', 19]]);
    const roots = issuesOf(VALID.replace('To follow in an 8-K/A.', 'See {{secrets.filer}}.'));
    assert.deepEqual(roots.map((i) => [i.code, i.path, i.line]), [['template.unknown_root', ['body'], 19]]);
  });

  it('reports schema problems with their path and line, and a file without front matter', () => {
    const issues = issuesOf(VALID.replace('audience: public', 'audience: press'));
    assert.deepEqual(issues.map((i) => [i.code, i.path, i.line]), [['schema.invalid', ['audience'], 3]]);
    assert.deepEqual(codesOf(issuesOf('## Just a body\n')), ['notice.front_matter_missing']);
    assert.deepEqual(codesOf(issuesOf('---\nobligation: [\n---\nbody\n')), ['yaml.syntax']);
  });

  it('keeps its issue codes unique and spelled as released', () => {
    assert.equal(new Set(NOTICE_ISSUE_CODES).size, NOTICE_ISSUE_CODES.length);
    assert.deepEqual([...NOTICE_ISSUE_CODES], [
      'notice.front_matter_missing',
      'yaml.syntax',
      'schema.invalid',
      'notice.file_name_mismatch',
      'notice.unknown_obligation',
      'notice.unknown_stage',
      'notice.unknown_item',
      'notice.item_uncovered',
      'notice.coverage_absent',
      'template.syntax',
      'template.unknown_root',
    ]);
  });
});
