import assert from 'node:assert/strict';
import { OBLIGATION_ISSUE_CODES, type ObligationIssue } from '../../obligations/issues';
import { parseCatalogue } from '../../obligations/load';
import { bundled } from './helpers';

// Line numbers in the assertions below are counted by hand from this text (line 1 = `version`).
const VALID = `version: "test-1"
calendars:
  us-federal:
    kind: us-federal
obligations:
  - id: sec-8k-105
    title: Form 8-K
    jurisdiction: US
    recipient: SEC
    obligedParty: Registrants
    trigger: determination
    zone: America/New_York
    status: V
    stages:
      - id: form-8k
        title: File
        clock: { unit: business-days, amount: 4, calendar: us-federal, zone: America/New_York }
      - id: amendment
        title: Amend
        start: { anchor: prior-submission, stage: form-8k }
        clock: { unit: hours, amount: 96 }
    content: [Nature of the incident]
    source: Item 1.05
`;

function issuesOf(text: string): ObligationIssue[] {
  const result = parseCatalogue(text);
  assert.equal(result.ok, false, 'expected the catalogue to be rejected');
  return result.ok ? [] : result.issues;
}

function replaceLine(text: string, line: number, replacement: string): string {
  const lines = text.split('\n');
  lines[line - 1] = replacement;
  return lines.join('\n');
}

const pick = (issues: ObligationIssue[]) => issues.map(({ code, path, line, column }) => ({ code, path, line, column }));

describe('obligations catalogue loader', () => {
  it('accepts the fixture', () => {
    assert.equal(parseCatalogue(VALID).ok, true);
  });

  it('reports yaml.syntax with its line', () => {
    const issues = issuesOf(replaceLine(VALID, 7, '    title: [unclosed'));
    assert.equal(issues[0]?.code, 'yaml.syntax');
    assert.ok((issues[0]?.line ?? 0) >= 7);
  });

  it('reports every schema problem at once, each with path, line and column', () => {
    let text = replaceLine(VALID, 12, '    zone: Mars/Olympus');
    text = replaceLine(text, 21, '        clock: { unit: hours, amount: -1 }');
    assert.deepEqual(pick(issuesOf(text)), [
      { code: 'schema.invalid', path: ['obligations', 0, 'zone'], line: 12, column: 5 },
      { code: 'schema.invalid', path: ['obligations', 0, 'stages', 1, 'clock', 'amount'], line: 21, column: 31 },
    ]);
  });

  it('points a missing required field at the object that lacks it', () => {
    const text = VALID.replace('    source: Item 1.05\n', '');
    assert.deepEqual(pick(issuesOf(text)), [{ code: 'schema.invalid', path: ['obligations', 0, 'source'], line: 6, column: 5 }]);
  });

  it('reports obligation.duplicate_id on the second id', () => {
    const obligationBlock = VALID.slice(VALID.indexOf('  - id: sec-8k-105'));
    const issues = issuesOf(VALID + obligationBlock);
    // The copy starts on line 24 (the fixture has 23 lines).
    assert.deepEqual(pick(issues), [{ code: 'obligation.duplicate_id', path: ['obligations', 1, 'id'], line: 24, column: 5 }]);
  });

  it('reports obligation.unverified_enabled when an unverified obligation is enabled', () => {
    const text = replaceLine(VALID, 13, '    status: V\n    verified: false');
    assert.deepEqual(pick(issuesOf(text)), [{ code: 'obligation.unverified_enabled', path: ['obligations', 0, 'enabled'], line: 6, column: 5 }]);
    assert.equal(parseCatalogue(replaceLine(VALID, 13, '    status: V\n    verified: false\n    enabled: false')).ok, true);
  });

  it('reports stage.duplicate_id on the second stage with the id', () => {
    // Columns point at the key: here `id` after "      - ".
    const text = replaceLine(VALID, 18, '      - id: form-8k');
    assert.deepEqual(pick(issuesOf(text)), [{ code: 'stage.duplicate_id', path: ['obligations', 0, 'stages', 1, 'id'], line: 18, column: 9 }]);
  });

  it('reports stage.unknown_ref for a chain to a stage that does not exist', () => {
    // "        start: { anchor: prior-submission, " is 43 characters, so `stage` is column 44.
    const unknown = replaceLine(VALID, 20, '        start: { anchor: prior-submission, stage: form-10k }');
    assert.deepEqual(pick(issuesOf(unknown)), [
      { code: 'stage.unknown_ref', path: ['obligations', 0, 'stages', 1, 'start', 'stage'], line: 20, column: 44 },
    ]);
  });

  it('reports stage.chain_order for a chain to a later stage', () => {
    let text = replaceLine(VALID, 17, '        start: { anchor: prior-submission, stage: amendment }\n        clock: { unit: hours, amount: 1 }');
    text = text.replace('        start: { anchor: prior-submission, stage: form-8k }\n', '');
    assert.deepEqual(pick(issuesOf(text)), [
      { code: 'stage.chain_order', path: ['obligations', 0, 'stages', 0, 'start', 'stage'], line: 17, column: 44 },
    ]);
  });

  it('reports calendar.unknown_ref for a clock on an undefined calendar', () => {
    const text = replaceLine(VALID, 17, '        clock: { unit: business-days, amount: 4, calendar: uk-bank, zone: Europe/London }');
    assert.deepEqual(pick(issuesOf(text)), [
      { code: 'calendar.unknown_ref', path: ['obligations', 0, 'stages', 0, 'clock', 'calendar'], line: 17, column: 50 },
    ]);
  });

  it('reports calendar.unknown_country for a date-holidays country it does not know', () => {
    const text = replaceLine(VALID, 4, '    kind: us-federal\n  atlantis:\n    kind: date-holidays\n    country: XQ');
    assert.deepEqual(pick(issuesOf(text)), [{ code: 'calendar.unknown_country', path: ['calendars', 'atlantis', 'country'], line: 7, column: 5 }]);
  });

  it('keeps every issue code unique and spelled as released', () => {
    assert.deepEqual([...OBLIGATION_ISSUE_CODES], [
      'yaml.syntax',
      'schema.invalid',
      'obligation.duplicate_id',
      'obligation.unverified_enabled',
      'stage.duplicate_id',
      'stage.unknown_ref',
      'stage.chain_order',
      'calendar.unknown_ref',
      'calendar.unknown_country',
    ]);
    assert.equal(new Set(OBLIGATION_ISSUE_CODES).size, OBLIGATION_ISSUE_CODES.length);
  });
});

describe('bundled catalogue', () => {
  it('holds every V and V2 obligation of the reference, under its reference id', () => {
    const ids = bundled().catalogue.obligations.map((o) => o.id).sort();
    assert.deepEqual(ids, [
      'au-ndb', 'br-lgpd-anpd', 'ca-pipeda', 'circia', 'cn-cac-2025', 'cra-art14', 'dora-art19', 'dora-art19-clients',
      'gdpr-art33-processor', 'gdpr-art33-sa', 'gdpr-art34-ds', 'hipaa-ba', 'hipaa-hhs', 'hipaa-individuals', 'hipaa-media',
      'in-certin', 'in-dpdp-r7', 'jp-appi', 'nis2-art23', 'nis2-art23-tsp', 'nydfs-50017a', 'nydfs-50017c', 'pci-brands',
      'sec-8k-105', 'sg-pdpa', 'uk-pecr-5a', 'ukgdpr-art33-ico', 'ukgdpr-art34-ds', 'us-co', 'us-fl', 'us-tx', 'us-wa',
    ].sort());
  });

  it('keeps obligations that are not in force disabled', () => {
    const disabled = bundled().catalogue.obligations.filter((o) => !o.enabled).map((o) => o.id).sort();
    assert.deepEqual(disabled, ['circia', 'in-dpdp-r7']);
  });
});
