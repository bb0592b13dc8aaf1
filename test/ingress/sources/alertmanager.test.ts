import assert from 'node:assert/strict';
import { alertmanager, AlertmanagerAuth } from '../../../ingress/webhooks/sources/alertmanager';
import { basicAuthorization } from '../../helpers/sign';
import { alertsOf, context, delivery, fixture, issuePaths, RECEIVED_AT, refusedWith } from './support';

const auth = AlertmanagerAuth.parse({
  bearerTokens: ['old-token', 'new-token'],
  basicAuth: [{ username: 'alertmanager', password: 'correct horse' }],
});
const authenticate = (authorization?: string) =>
  alertmanager.authenticate(delivery(authorization === undefined ? {} : { authorization }, '{}'), auth);

describe('alertmanager authentication', () => {
  it('accepts each configured bearer token (rotation) and the basic credentials', () => {
    assert.equal(authenticate('Bearer old-token').ok, true);
    assert.equal(authenticate('Bearer new-token').ok, true);
    assert.equal(authenticate(basicAuthorization('alertmanager', 'correct horse')).ok, true);
  });

  it('refuses wrong tokens and wrong basic credentials', () => {
    assert.equal(refusedWith(authenticate('Bearer new-tokeN')), 'auth.bad_signature');
    assert.equal(refusedWith(authenticate(basicAuthorization('alertmanager', 'wrong'))), 'auth.bad_signature');
    assert.equal(refusedWith(authenticate(basicAuthorization('someone', 'correct horse'))), 'auth.bad_signature');
  });

  it('refuses a scheme that is not configured as a bad credential', () => {
    const bearerOnly = AlertmanagerAuth.parse({ bearerTokens: ['t'] });
    const result = alertmanager.authenticate(delivery({ authorization: basicAuthorization('u', 't') }, '{}'), bearerOnly);
    assert.equal(refusedWith(result), 'auth.bad_signature');
  });

  it('refuses a missing header as missing and unparseable ones as malformed', () => {
    assert.equal(refusedWith(authenticate()), 'auth.missing');
    assert.equal(refusedWith(authenticate('')), 'auth.missing');
    for (const header of ['Token abc', 'Bearer', `Basic ${Buffer.from('no-colon').toString('base64')}`, 'Basic !!!']) {
      assert.equal(refusedWith(authenticate(header)), 'auth.malformed', header);
    }
  });

  it('requires bearer tokens or basic credentials in config', () => {
    assert.equal(AlertmanagerAuth.safeParse({}).success, false);
  });
});

describe('alertmanager delivery id', () => {
  const { rawBody, body } = fixture('alertmanager', 'firing-group');
  const idOf = (b: unknown) => alertmanager.deliveryId(delivery({}, JSON.stringify(b)));

  it('is the same for a retry, whatever the JSON formatting or alert order', () => {
    const reordered = { ...(body as object), alerts: [...(body as { alerts: unknown[] }).alerts].reverse() };
    assert.equal(idOf(reordered), alertmanager.deliveryId(delivery({}, rawBody)));
  });

  it('changes when an alert of the group resolves or the group status changes', () => {
    const b = body as { status: string; alerts: { status: string; endsAt: string }[] };
    const first = b.alerts[0]!;
    const resolvedOne = { ...b, alerts: [{ ...first, status: 'resolved', endsAt: '2025-03-04T09:00:00Z' }, b.alerts[1]] };
    assert.notEqual(idOf(resolvedOne), idOf(body));
    assert.notEqual(idOf({ ...b, status: 'resolved' }), idOf(body));
  });

  it('is undefined when the body is not JSON', () => {
    assert.equal(alertmanager.deliveryId(delivery({}, 'not json')), undefined);
  });
});

describe('alertmanager normalisation', () => {
  const { body } = fixture('alertmanager', 'firing-group');

  it('makes one Alert per alert in the group with its own status, severity and fingerprint', () => {
    const [firing, resolved, ...rest] = alertsOf(alertmanager.normalise(body, context()));
    assert.equal(rest.length, 0);
    assert.deepEqual({ ...firing, raw: undefined }, {
      source: 'test-source',
      deliveryId: 'delivery-1',
      fingerprint: 'b1e1f2c3d4a5e6f7',
      title: 'Checkout API 5xx rate above 5% on checkout-1',
      severity: 'critical',
      status: 'firing',
      labels: { alertname: 'HighErrorRate', instance: 'checkout-1:8080', job: 'checkout-api', severity: 'critical' },
      description: '5xx ratio is 7.2% over the last 5 minutes.',
      occurredAt: '2025-03-04T08:01:30.123456789Z',
      receivedAt: RECEIVED_AT.toISOString(),
      link: 'http://prometheus.example.com:9090/graph?g0.expr=job%3Acheckout_5xx%3Aratio5m+%3E+0.05&g0.tab=1',
      raw: undefined,
    });
    assert.equal(resolved?.status, 'resolved');
    assert.equal(resolved?.severity, 'medium', 'warning maps to medium');
    assert.equal(resolved?.title, 'HighErrorRate', 'falls back to alertname without a summary');
    assert.equal(resolved?.fingerprint, '0a9b8c7d6e5f4a3b');
  });

  it('keeps the group envelope with only its own alert in raw', () => {
    const [firing] = alertsOf(alertmanager.normalise(body, context()));
    const raw = firing?.raw as { groupKey: string; alerts: { fingerprint: string }[] };
    assert.equal(raw.groupKey, (body as { groupKey: string }).groupKey);
    assert.deepEqual(raw.alerts.map((a) => a.fingerprint), ['b1e1f2c3d4a5e6f7']);
  });

  it('derives a fingerprint from the labels when Alertmanager sends none', () => {
    const b = body as { alerts: Record<string, unknown>[] };
    const withoutFingerprint = { ...b, alerts: b.alerts.map(({ fingerprint: _, ...a }) => a) };
    const [first, second] = alertsOf(alertmanager.normalise(withoutFingerprint, context()));
    assert.match(first?.fingerprint ?? '', /^[0-9a-f]{64}$/);
    assert.notEqual(first?.fingerprint, second?.fingerprint);
  });

  it('reports malformed fields at their path in alerts[]', () => {
    const b = body as { alerts: Record<string, unknown>[] };
    const broken = { ...b, version: '3', alerts: [b.alerts[0], { ...b.alerts[1], status: 'pending', startsAt: 'yesterday' }] };
    assert.deepEqual(issuePaths(alertmanager.normalise(broken, context())).sort(), [
      ['alerts', 1, 'startsAt'], ['alerts', 1, 'status'], ['version'],
    ]);
  });
});
