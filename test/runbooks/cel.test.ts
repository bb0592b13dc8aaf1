import assert from 'node:assert/strict';
import { checkCondition, ConditionEvaluationError, evaluateCondition, matchRunbook } from '../../runbooks/cel';
import type { Runbook } from '../../runbooks/schema/runbook';

const alert = { source: 'generic', title: 'Exfil', severity: 'high', labels: { category: 'data-exfiltration', user: 'ann' } };

describe('CEL conditions', () => {
  describe('checking at load time', () => {
    it('accepts conditions over alert, answers, steps and incident', () => {
      for (const expression of [
        'alert.labels.category == "data-exfiltration"',
        'answers["personal-data"] == true',
        'has(answers.records) && answers.records > 500',
        'alert.severity in ["critical", "high"] || steps.scan.status == "done"',
        'alert.labels.exists(k, k.startsWith("env")) && size(incident) >= 0',
        'answers.flag',
      ]) {
        assert.deepEqual(checkCondition(expression), [], expression);
      }
    });

    it('reports cel.syntax for an expression that does not parse', () => {
      assert.deepEqual(checkCondition('alert.title ==').map((p) => p.code), ['cel.syntax']);
      assert.deepEqual(checkCondition('(alert').map((p) => p.code), ['cel.syntax']);
    });

    it('reports cel.type for variables that do not exist', () => {
      assert.deepEqual(checkCondition('user.admin == true').map((p) => p.code), ['cel.type']);
    });

    it('does not mistake comprehension variables for unknown variables', () => {
      assert.deepEqual(checkCondition('[1, 2].all(n, n > 0)'), []);
    });

    it('reports cel.type for conditions that can never be true or false', () => {
      for (const expression of ['"yes"', '1 + 2', '[true]', 'size(alert.labels)', '{"a": true}']) {
        assert.deepEqual(checkCondition(expression).map((p) => p.code), ['cel.type'], expression);
      }
    });
  });

  describe('evaluating', () => {
    it('evaluates over plain JSON values, including kebab-case answer ids', () => {
      assert.equal(evaluateCondition('alert.labels.category == "data-exfiltration"', { alert }), true);
      assert.equal(evaluateCondition('answers["personal-data"] == true', { answers: { 'personal-data': false } }), false);
    });

    it('compares JSON whole numbers with CEL integer literals', () => {
      assert.equal(evaluateCondition('answers.records > 500', { answers: { records: 501 } }), true);
      assert.equal(evaluateCondition('answers.records == 3', { answers: { records: 3 } }), true);
      assert.equal(evaluateCondition('answers.ratio > 0.5', { answers: { ratio: 0.75 } }), true);
    });

    it('treats absent variables as empty maps so has() guards work', () => {
      assert.equal(evaluateCondition('has(answers.records)', {}), false);
    });

    it('throws ConditionEvaluationError for a missing key or a non-bool result', () => {
      assert.throws(() => evaluateCondition('answers.records > 1', {}), ConditionEvaluationError);
      assert.throws(() => evaluateCondition('alert.title', { alert }), ConditionEvaluationError);
      assert.throws(() => evaluateCondition('alert.title ==', { alert }), ConditionEvaluationError);
    });

    it('gives each evaluation of a repeated condition its own bindings', () => {
      const expression = 'alert.severity == "high" && has(answers.ok)';
      assert.equal(evaluateCondition(expression, { alert, answers: { ok: true } }), true);
      assert.equal(evaluateCondition(expression, { alert }), false);
      assert.equal(evaluateCondition(expression, { alert: { ...alert, severity: 'low' }, answers: { ok: true } }), false);
      assert.throws(() => evaluateCondition('answers.records > 1', {}), ConditionEvaluationError);
      assert.equal(evaluateCondition('answers.records > 1', { answers: { records: 2 } }), true);
    });

    it('still evaluates a condition correctly after more than a thousand others have been seen', () => {
      const first = 'answers.n == 0';
      assert.equal(evaluateCondition(first, { answers: { n: 0 } }), true);
      for (let n = 1; n <= 1_100; n++) assert.equal(evaluateCondition(`answers.n == ${n}`, { answers: { n } }), true);
      assert.equal(evaluateCondition(first, { answers: { n: 0 } }), true);
      assert.equal(evaluateCondition(first, { answers: { n: 1 } }), false);
    });
  });

  describe('matching an alert to a runbook', () => {
    const book = (id: string, priority: number, match?: string): Runbook => ({ id, version: 1, title: id, priority, match, roles: {}, steps: [] });

    it('picks the highest priority among matching runbooks', () => {
      const picked = matchRunbook(alert, [
        book('generic-alert-notice', 0, 'alert.source == "generic"'),
        book('personal-data-breach', 10, 'alert.labels.category == "data-exfiltration"'),
        book('ransomware', 50, 'alert.labels.category == "ransomware"'),
      ]);
      assert.equal(picked?.id, 'personal-data-breach');
    });

    it('breaks ties by id', () => {
      const picked = matchRunbook(alert, [book('zeta', 5, 'true'), book('alpha', 5, 'true'), book('mid', 1, 'true')]);
      assert.equal(picked?.id, 'alpha');
    });

    it('skips runbooks without match and those whose match errors on this alert', () => {
      const picked = matchRunbook(alert, [book('by-name-only', 99), book('broken', 50, 'alert.labels.missing == "x"'), book('fallback', 0, 'true')]);
      assert.equal(picked?.id, 'fallback');
    });

    it('matches over nested lists, maps and numbers, and leaves error stack traces as they were', () => {
      const nested = { ...alert, labels: { ...alert.labels, hosts: ['db-1', 'web-2'], count: 3 }, annotations: { runbook: { tier: 1 } } };
      const picked = matchRunbook(nested, [
        book('missing', 90, 'alert.labels.missing == "x"'),
        book('tier-two', 80, 'alert.annotations.runbook.tier == 2'),
        book('hosts', 70, 'alert.labels.hosts.exists(h, h.startsWith("web-")) && alert.labels.count == 3 && alert.annotations.runbook.tier == 1'),
      ]);
      assert.equal(picked?.id, 'hosts');
      assert.match(new Error('after routing').stack ?? '', /\n\s+at /);
    });

    it('returns undefined when nothing matches, and accepts pinned runbooks', () => {
      assert.equal(matchRunbook(alert, [book('other', 1, 'false')]), undefined);
      const pinned = { runbook: book('pinned', 1, 'true'), sha256: '0'.repeat(64), file: 'x.yaml' };
      assert.equal(matchRunbook(alert, [pinned]), pinned);
    });
  });
});
