import assert from 'node:assert/strict';
import { renderTemplate, renderValue, TemplateMissingValueError, TemplateSyntaxError, templateVariables } from '../../runbooks/template';

const scope = {
  alert: { title: 'Disk full', labels: { user: 'ann', count: '3' }, severity: 'high', raw: { a: [1, 2] } },
  answers: { 'aware-at': '2026-05-01T10:00:00Z', 'personal-data': true, records: 120, note: null },
  steps: { 'preserve-alert': { sha256: 'ab'.repeat(32) } },
};

describe('templates', () => {
  it('renders dotted references, including kebab-case ids', () => {
    assert.equal(renderTemplate('{{alert.title}} for {{ alert.labels.user }} at {{answers.aware-at}}', scope), 'Disk full for ann at 2026-05-01T10:00:00Z');
    assert.equal(renderTemplate('hash {{steps.preserve-alert.sha256}}', scope), `hash ${'ab'.repeat(32)}`);
  });

  it('renders numbers and booleans as text, null as empty, objects as JSON', () => {
    assert.equal(renderTemplate('{{answers.records}} {{answers.personal-data}} [{{answers.note}}] {{alert.raw}}', scope), '120 true [] {"a":[1,2]}');
  });

  it('throws TemplateMissingValueError for a missing value by default', () => {
    assert.throws(() => renderTemplate('to {{alert.labels.nobody}}', scope), (error: unknown) => error instanceof TemplateMissingValueError && error.variable === 'alert.labels.nobody');
  });

  it('renders a missing value as empty when asked to', () => {
    assert.equal(renderTemplate('[{{alert.labels.nobody}}]', scope, { missing: 'empty' }), '[]');
  });

  it('never reads inherited properties', () => {
    assert.throws(() => renderTemplate('{{alert.constructor}}', scope), TemplateMissingValueError);
    assert.throws(() => renderTemplate('{{alert.title.length}}', scope), TemplateMissingValueError);
  });

  it('keeps the JSON type of a value that is exactly one reference', () => {
    assert.deepEqual(renderValue('{{alert.raw}}', scope), { a: [1, 2] });
    assert.equal(renderValue('{{ answers.records }}', scope), 120);
    assert.equal(renderValue('{{answers.personal-data}}', scope), true);
    assert.equal(renderValue('{{answers.records}} rows', scope), '120 rows');
  });

  it('renders deeply inside objects and lists, leaving other values alone', () => {
    const rendered = renderValue({ to: ['{{alert.labels.user}}@example.com'], n: 5, flag: false, nested: { s: '{{alert.severity}}' } }, scope);
    assert.deepEqual(rendered, { to: ['ann@example.com'], n: 5, flag: false, nested: { s: 'high' } });
  });

  it('leaves references outside the `only` roots as written', () => {
    assert.equal(renderTemplate('{{config.contacts.security}}: {{alert.title}}', scope, { only: ['alert'] }), '{{config.contacts.security}}: Disk full');
    assert.equal(renderValue('{{config.contacts.security}}', scope, { only: ['alert'] }), '{{config.contacts.security}}');
  });

  it('is deterministic: the same input renders the same text', () => {
    const a = renderValue({ body: '{{alert}}' , x: '{{alert.raw}} and {{answers}}' }, scope);
    const b = renderValue({ body: '{{alert}}' , x: '{{alert.raw}} and {{answers}}' }, scope);
    assert.deepEqual(a, b);
  });

  it('lists the variables a template reads', () => {
    assert.deepEqual(templateVariables('a {{alert.labels.user}} b {{answers.aware-at}}'), [['alert', 'labels', 'user'], ['answers', 'aware-at']]);
    assert.deepEqual(templateVariables('no references'), []);
  });

  it('refuses unclosed braces and references that are not dotted paths', () => {
    assert.throws(() => templateVariables('oops {{alert.title'), TemplateSyntaxError);
    assert.throws(() => templateVariables('{{alert..title}}'), TemplateSyntaxError);
    assert.throws(() => templateVariables('{{#each alert}}'), TemplateSyntaxError);
  });
});
