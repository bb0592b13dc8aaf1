import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadRunbookLibrary, loadRunbookText } from '../../runbooks/load';
import { configValue, describeUnmet, missingConfig, unmetRequirements } from '../../runbooks/requirements';
import { missingConfigIssues } from '../../runbooks/validate/config-needs';
import { tempDir } from '../helpers/temporal';

const runbook = (requires: string, steps: string) => `id: needs-things
version: 1
title: Needs things
roles: { respond: [security-oncall] }
${requires}
steps:
${steps}`;

const SUSPEND = `  - id: suspend
    action: identity.disable-user
    with: { user: '{{alert.labels.user}}' }
  - id: tell
    action: notify.email
    with: { to: '{{config.contacts.it-helpdesk}}', subject: 'Suspended {{alert.labels.user}}', body: done }
`;

describe('runbook requires', () => {
  it('loads a runbook that declares every label, contact and adapter it uses, with the questions filled in', () => {
    const loaded = loadRunbookText(runbook('requires: { labels: [user], config: [containment.identity, contacts.it-helpdesk] }', SUSPEND), 'x.yaml');
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.issues));
    assert.deepEqual(loaded.pinned.runbook.requires, {
      labels: [{ label: 'user', ask: 'The alert has no "user" label: what is it?', type: 'text', role: 'respond', missing: 'alert' }],
      config: ['containment.identity', 'contacts.it-helpdesk'],
    });
  });

  it('reports each undeclared label, contact and adapter once, with line and column', () => {
    const loaded = loadRunbookText(runbook('requires: { config: [contacts.it-helpdesk] }', SUSPEND), 'x.yaml');
    assert.ok(!loaded.ok);
    assert.deepEqual(
      loaded.issues.map((i) => [i.code, i.line, i.column, i.message]),
      [
        ['requires.undeclared', 8, 13, 'uses config "containment.identity", which requires.config does not declare'],
        ['requires.undeclared', 9, 19, 'reads alert label "user", which requires.labels does not declare: declare it, or guard the step with when: has(alert.labels.user)'],
      ],
    );
  });

  it('takes a label tested with has() in the enclosing when as optional, but not in its otherwise branch', () => {
    const guarded = `  - id: maybe
    when: 'has(alert.labels.ip) && alert.labels.ip != ""'
    steps:
      - { id: tell, action: notify.email, with: { to: '{{config.contacts.soc}}', subject: 'Block {{alert.labels.ip}}', body: x } }
    otherwise:
      - { id: tell-else, action: notify.email, with: { to: '{{config.contacts.soc}}', subject: 'No {{alert.labels.ip}}', body: x } }
`;
    const loaded = loadRunbookText(runbook('requires: { config: [contacts.soc] }', guarded), 'x.yaml');
    assert.ok(!loaded.ok);
    assert.deepEqual(loaded.issues.map((i) => [i.code, i.path.join('.')]), [['requires.undeclared', 'steps.0.otherwise.0.with.subject']]);
  });

  it('refuses a malformed requires and a question for a role the runbook does not have', () => {
    const loaded = loadRunbookText(runbook("requires: { labels: [{ label: user, role: legal }, 'not a label'], config: [Contacts] }", SUSPEND), 'x.yaml');
    assert.ok(!loaded.ok);
    const codes = loaded.issues.map((i) => `${i.code}@${i.path.join('.')}`);
    assert.ok(codes.includes('schema.invalid@requires.labels.1'), codes.join(' '));
    assert.ok(codes.includes('schema.invalid@requires.config.0'), codes.join(' '));
    const unknownRole = loadRunbookText(runbook('requires: { labels: [{ label: user, role: legal }], config: [containment.identity, contacts.it-helpdesk] }', SUSPEND), 'x.yaml');
    assert.ok(!unknownRole.ok);
    assert.deepEqual(unknownRole.issues.map((i) => `${i.code}@${i.path.join('.')}`), ['step.unknown_role@requires.labels.0.role']);
  });

  it('runbooks without requires are not checked (as before)', () => {
    assert.ok(loadRunbookText(runbook('', SUSPEND), 'x.yaml').ok);
  });

  it('every shipped runbook declares its requirements', async () => {
    const { runbooks, issues } = await loadRunbookLibrary(path.resolve(__dirname, '..', '..', 'runbooks', 'library'));
    assert.deepEqual(issues, []);
    for (const { runbook: book } of runbooks) assert.ok(book.requires, `${book.id} declares requires`);
  });

  it('finds config values by dotted key, including names with dots, and reports what is unset', () => {
    const config = { contacts: { dpo: 'dpo@example.com', empty: '' }, endpoints: { 'idp.eu': { url: 'https://x', secrets: { tok: 'env:T' } } } };
    assert.equal(configValue(config, 'endpoints.idp.eu.secrets.tok'), 'env:T');
    assert.deepEqual(missingConfig(['contacts.dpo', 'contacts.empty', 'contacts.none', 'endpoints.idp.eu', 'containment.identity'], config), ['contacts.empty', 'contacts.none', 'containment.identity']);
    assert.equal(configValue(config, 'contacts.constructor'), undefined);
  });

  it('judges an alert: labels it lacks (unless a person may be asked) and config not set, in one sentence', () => {
    const loaded = loadRunbookText(
      runbook("requires: { labels: [user, { label: zone, missing: ask }], config: [containment.identity, contacts.it-helpdesk] }", SUSPEND),
      'x.yaml',
    );
    assert.ok(loaded.ok);
    const unmet = unmetRequirements(loaded.pinned.runbook, { labels: {} }, { contacts: { 'it-helpdesk': 'h@example.com' } });
    assert.deepEqual(unmet, { labels: ['user'], config: ['containment.identity'] });
    assert.equal(describeUnmet('needs-things', unmet), 'needs-things needs what it cannot get: the alert has no "user" label; the config does not set containment.identity');
    assert.deepEqual(unmetRequirements(loaded.pinned.runbook, { labels: { user: 'm' } }, undefined), { labels: [], config: [] });
  });

  it('locates each config key the running config lacks at its declaration', async () => {
    const dir = tempDir('requires');
    const file = path.join(dir, 'needs-things.yaml');
    writeFileSync(file, runbook('requires:\n  labels: [user]\n  config:\n    - containment.identity\n    - contacts.it-helpdesk', SUSPEND));
    const { runbooks } = await loadRunbookLibrary(dir);
    const issues = await missingConfigIssues(runbooks, { contacts: { security: 's@example.com' } });
    assert.deepEqual(
      issues.map(({ issue }) => [issue.code, issue.line, issue.column, issue.message]),
      [
        ['requires.missing_config', 8, 7, 'needs-things needs containment.identity, which the config does not set (set containment.identity to the vendor or endpoint that serves it)'],
        ['requires.missing_config', 9, 7, 'needs-things needs contacts.it-helpdesk, which the config does not set (add contacts: { it-helpdesk: <address> })'],
      ],
    );
  });
});
