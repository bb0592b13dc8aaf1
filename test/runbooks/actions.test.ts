import assert from 'node:assert/strict';
import { ACTION_NAMES, actionRegistry } from '../../runbooks/actions';

describe('action registry', () => {
  it('registers exactly the published action names, each under its own name', () => {
    assert.deepEqual(Object.keys(actionRegistry).sort(), [...ACTION_NAMES].sort());
    for (const name of ACTION_NAMES) assert.equal(actionRegistry[name].name, name);
  });

  it('pairs every containment action with its undo', () => {
    const undo = Object.fromEntries(ACTION_NAMES.flatMap((name) => (actionRegistry[name].undo ? [[name, actionRegistry[name].undo]] : [])));
    assert.deepEqual(undo, {
      'identity.disable-user': 'identity.enable-user',
      'network.block-ip': 'network.unblock-ip',
      'host.isolate': 'host.release',
      'workload.quarantine': 'workload.release',
      'node.cordon': 'node.uncordon',
      'cloud.deactivate-access-key': 'cloud.reactivate-access-key',
      'cloud.deny-principal': 'cloud.allow-principal',
      'cloud.isolate-instance': 'cloud.release-instance',
      'cloud.block-public-bucket': 'cloud.restore-bucket-access',
    });
    for (const target of Object.values(undo)) assert.ok(ACTION_NAMES.includes(target as never));
  });

  it('marks notifications, and only notifications, as disclosures', () => {
    const disclosures = ACTION_NAMES.filter((name) => actionRegistry[name].disclosure);
    assert.deepEqual(disclosures, ['notify.email', 'notify.email-batch', 'notify.slack']);
  });

  it('accepts templates where values come from the incident', () => {
    assert.ok(actionRegistry['network.block-ip'].input.safeParse({ ip: '{{alert.labels.ip}}', ttl: '{{answers.block-for}}' }).success);
    assert.ok(actionRegistry['notify.email'].input.safeParse({ to: ['{{config.contacts.dpo}}', 'a@b.c'], subject: 's', body: 'b' }).success);
  });

  it('turns an evidence reference into a whole-value template so it keeps its JSON type', () => {
    const parsed = actionRegistry['evidence.capture'].input.parse({ name: 'alert.json', from: 'alert' });
    assert.equal(parsed.from, '{{alert}}');
  });

  it('names http endpoints and secrets from configuration, never URLs or values', () => {
    const http = actionRegistry['http.request'].input;
    assert.ok(http.safeParse({ endpoint: 'okta', method: 'POST', path: '/api/v1/users', secretHeader: { name: 'Authorization', secret: 'okta-token' } }).success);
    const bad = http.safeParse({ endpoint: 'https://example.com', method: 'POST', secretHeader: { name: 'Authorization', secret: 'SSWS 123' } });
    assert.ok(!bad.success);
    assert.deepEqual(bad.error.issues.map((i) => i.path.join('.')).sort(), ['endpoint', 'secretHeader.secret']);
  });

  it('refuses fields an action does not take', () => {
    const result = actionRegistry['identity.disable-user'].input.safeParse({ user: 'u', colour: 'red' });
    assert.ok(!result.success);
    assert.equal(result.error.issues[0]?.code, 'unrecognized_keys');
  });
});
