import assert from 'node:assert/strict';
import { github, GithubAuth } from '../../../ingress/webhooks/sources/github';
import { signGithub } from '../../helpers/sign';
import { alertsOf, context, delivery, fixture, issuePaths, RECEIVED_AT, refusedWith, withOneByteChanged } from './support';

const auth = GithubAuth.parse({ secrets: ['old-secret', 'new-secret'] });
const events = (event: string) => context({ 'x-github-event': event });

describe('github authentication', () => {
  it('signs the known-answer vector to the documented digest', () => {
    assert.equal(
      signGithub("It's a Secret to Everybody", 'Hello, World!'),
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('accepts the known-answer vector', () => {
    const headers = { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' };
    const result = github.authenticate(delivery(headers, 'Hello, World!'), GithubAuth.parse({ secrets: ["It's a Secret to Everybody"] }));
    assert.deepEqual(result, { ok: true });
  });

  it('accepts the old and the new secret during rotation, and refuses any other', () => {
    const { rawBody } = fixture('github', 'dependabot-created');
    for (const secret of ['old-secret', 'new-secret']) {
      assert.equal(github.authenticate(delivery({ 'x-hub-signature-256': signGithub(secret, rawBody) }, rawBody), auth).ok, true);
    }
    const foreign = { 'x-hub-signature-256': signGithub('other', rawBody) };
    assert.equal(refusedWith(github.authenticate(delivery(foreign, rawBody), auth)), 'auth.bad_signature');
  });

  it('refuses a body with one byte changed', () => {
    const { rawBody } = fixture('github', 'dependabot-created');
    const headers = { 'x-hub-signature-256': signGithub('new-secret', rawBody) };
    assert.equal(refusedWith(github.authenticate(delivery(headers, withOneByteChanged(rawBody)), auth)), 'auth.bad_signature');
  });

  it('refuses a missing signature (the SHA-1 header alone is not enough) and malformed ones', () => {
    assert.equal(refusedWith(github.authenticate(delivery({ 'x-hub-signature': 'sha1=0123' }, '{}'), auth)), 'auth.missing');
    for (const value of ['757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17', 'sha256=xyz', 'sha1=abcdef']) {
      assert.equal(refusedWith(github.authenticate(delivery({ 'x-hub-signature-256': value }, '{}'), auth)), 'auth.malformed', value);
    }
  });

  it('takes the delivery id from X-GitHub-Delivery', () => {
    const id = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
    assert.equal(github.deliveryId(delivery({ 'x-github-delivery': id }, '{}')), id);
  });
});

describe('github normalisation', () => {
  it('yields no alerts for a ping', () => {
    assert.deepEqual(github.normalise(fixture('github', 'ping').body, events('ping')), { ok: true, alerts: [] });
  });

  it('normalises a new secret scanning alert as a firing high-severity alert', () => {
    const { body } = fixture('github', 'secret-scanning-created');
    const [alert, ...rest] = alertsOf(github.normalise(body, events('secret_scanning_alert')));
    assert.equal(rest.length, 0);
    assert.deepEqual(alert, {
      source: 'test-source',
      deliveryId: 'delivery-1',
      fingerprint: 'acme/payments/secret_scanning_alert/42',
      title: 'Secret exposed: Amazon AWS Access Key ID in acme/payments',
      severity: 'high',
      status: 'firing',
      labels: { secret_type: 'aws_access_key_id', repository: 'acme/payments', github_event: 'secret_scanning_alert', github_action: 'created', alert_number: '42' },
      occurredAt: '2025-03-04T11:02:03Z',
      receivedAt: RECEIVED_AT.toISOString(),
      link: 'https://github.com/acme/payments/security/secret-scanning/42',
      raw: body,
    });
  });

  it('resolves a fixed code scanning alert at its fix time, with the security severity', () => {
    const [alert] = alertsOf(github.normalise(fixture('github', 'code-scanning-fixed').body, events('code_scanning_alert')));
    assert.equal(alert?.status, 'resolved');
    assert.equal(alert?.severity, 'critical');
    assert.equal(alert?.occurredAt, '2025-03-04T12:30:00Z');
    assert.equal(alert?.fingerprint, 'acme/payments/code_scanning_alert/7');
    assert.deepEqual([alert?.labels.rule_id, alert?.labels.tool], ['js/sql-injection', 'CodeQL']);
  });

  it('falls back to the rule severity when a code scanning rule has no security severity', () => {
    const { body } = fixture('github', 'code-scanning-fixed');
    const b = body as { alert: { rule: Record<string, unknown> } };
    const plain = { ...b, alert: { ...b.alert, rule: { ...b.alert.rule, security_severity_level: null, severity: 'warning' } } };
    assert.equal(alertsOf(github.normalise(plain, events('code_scanning_alert')))[0]?.severity, 'medium');
  });

  it('normalises a Dependabot alert with its advisory and package', () => {
    const [alert] = alertsOf(github.normalise(fixture('github', 'dependabot-created').body, events('dependabot_alert')));
    assert.equal(alert?.status, 'firing');
    assert.equal(alert?.severity, 'critical');
    assert.equal(alert?.title, 'Vulnerable dependency lodash: Prototype Pollution in lodash in acme/payments');
    assert.equal(alert?.labels.cve_id, 'CVE-2019-10744');
    assert.equal(alert?.link, 'https://github.com/acme/payments/security/dependabot/3');
  });

  it('treats dismissing actions as resolved', () => {
    const { body } = fixture('github', 'dependabot-created');
    const b = body as { alert: Record<string, unknown> };
    const dismissed = { ...b, action: 'dismissed', alert: { ...b.alert, state: 'dismissed', dismissed_at: '2025-03-02T09:00:00Z' } };
    const [alert] = alertsOf(github.normalise(dismissed, events('dependabot_alert')));
    assert.deepEqual([alert?.status, alert?.occurredAt], ['resolved', '2025-03-02T09:00:00Z']);
  });

  it('reports an unsupported or missing event at X-GitHub-Event', () => {
    assert.deepEqual(issuePaths(github.normalise({}, events('push'))), [['X-GitHub-Event']]);
    assert.deepEqual(issuePaths(github.normalise({}, events('constructor'))), [['X-GitHub-Event']]);
    assert.deepEqual(issuePaths(github.normalise({}, context())), [['X-GitHub-Event']]);
  });

  it('reports malformed alert fields at their JSON path', () => {
    const { body } = fixture('github', 'secret-scanning-created');
    const b = body as { alert: Record<string, unknown> };
    const broken = { ...b, repository: {}, alert: { ...b.alert, number: '42' } };
    assert.deepEqual(issuePaths(github.normalise(broken, events('secret_scanning_alert'))).sort(), [
      ['alert', 'number'], ['repository', 'full_name'],
    ]);
  });
});
