import assert from 'node:assert/strict';
import { findSourceKind, sourceKinds } from '../../../ingress/webhooks/sources';

describe('source kind registry', () => {
  it('keys every kind by its own kind name', () => {
    assert.deepEqual(Object.keys(sourceKinds).sort(), ['alertmanager', 'github', 'grafana', 'pagerduty', 'standard-webhooks']);
    for (const [name, kind] of Object.entries(sourceKinds)) assert.equal(kind.kind, name);
  });

  it('finds a configured kind by name and nothing for unknown or inherited names', () => {
    assert.equal(findSourceKind('github'), sourceKinds.github);
    assert.equal(findSourceKind('splunk'), undefined);
    assert.equal(findSourceKind('constructor'), undefined);
  });

  it('refuses every request when no credentials are presented', () => {
    const configs: Record<string, unknown> = {
      'standard-webhooks': { secrets: [`whsec_${Buffer.alloc(24, 1).toString('base64')}`] },
      alertmanager: { bearerTokens: ['t'] },
      grafana: { hmac: { secrets: ['s'] } },
      github: { secrets: ['s'] },
      pagerduty: { secrets: ['s'] },
    };
    for (const [name, config] of Object.entries(configs)) {
      const kind = findSourceKind(name);
      assert.ok(kind, name);
      const result = kind.authenticate({ headers: {}, rawBody: Buffer.from('{}'), receivedAt: new Date() }, kind.authSchema.parse(config));
      assert.equal(result.ok ? 'accepted' : result.code, 'auth.missing', name);
    }
  });
});
