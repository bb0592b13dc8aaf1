import assert from 'node:assert/strict';
import { pagerduty, PagerDutyAuth } from '../../../ingress/webhooks/sources/pagerduty';
import { signPagerDuty } from '../../helpers/sign';
import { alertsOf, context, delivery, fixture, issuePaths, RECEIVED_AT, refusedWith, withOneByteChanged } from './support';

const { rawBody, body } = fixture('pagerduty', 'incident-triggered');
const auth = PagerDutyAuth.parse({ secrets: ['new-secret'] });
const authenticate = (signature: string | undefined, bytes = rawBody, a = auth) =>
  pagerduty.authenticate(delivery(signature === undefined ? {} : { 'x-pagerduty-signature': signature }, bytes), a);

describe('pagerduty authentication', () => {
  it('accepts a header with several v1 signatures when any matches a configured secret', () => {
    assert.equal(authenticate(signPagerDuty(['old-secret', 'new-secret'], rawBody)).ok, true);
    assert.equal(authenticate(signPagerDuty(['new-secret', 'old-secret'], rawBody)).ok, true);
  });

  it('accepts either configured secret during rotation', () => {
    const both = PagerDutyAuth.parse({ secrets: ['old-secret', 'new-secret'] });
    assert.equal(authenticate(signPagerDuty('old-secret', rawBody), rawBody, both).ok, true);
    assert.equal(authenticate(signPagerDuty('new-secret', rawBody), rawBody, both).ok, true);
  });

  it('refuses a body with one byte changed, and signatures from other secrets', () => {
    assert.equal(refusedWith(authenticate(signPagerDuty('new-secret', rawBody), withOneByteChanged(rawBody))), 'auth.bad_signature');
    assert.equal(refusedWith(authenticate(signPagerDuty(['a', 'b'], rawBody))), 'auth.bad_signature');
  });

  it('refuses a missing header and malformed ones', () => {
    assert.equal(refusedWith(authenticate(undefined)), 'auth.missing');
    const hex = signPagerDuty('new-secret', rawBody).slice('v1='.length);
    for (const header of [hex, 'v1=zz', `v1=${hex};v1=${hex}`, 'v1=']) {
      assert.equal(refusedWith(authenticate(header)), 'auth.malformed', header);
    }
  });

  it('ignores signature versions it does not know', () => {
    const header = `v2=${'0'.repeat(64)},${signPagerDuty('new-secret', rawBody)}`;
    assert.equal(authenticate(header).ok, true);
  });

  it('takes the delivery id from X-Webhook-Id', () => {
    assert.equal(pagerduty.deliveryId(delivery({ 'x-webhook-id': 'e8d05a5c-6d1f-4f1e-9a3c-0f2f8b1c7d55' }, '{}')), 'e8d05a5c-6d1f-4f1e-9a3c-0f2f8b1c7d55');
  });
});

describe('pagerduty normalisation', () => {
  it('normalises a triggered incident as firing, with P1 as critical', () => {
    const [alert, ...rest] = alertsOf(pagerduty.normalise(body, context()));
    assert.equal(rest.length, 0);
    assert.deepEqual(alert, {
      source: 'test-source',
      deliveryId: 'delivery-1',
      fingerprint: 'Q2MBTJ3WXY6JEH',
      title: 'Payments API p99 latency above 2s',
      severity: 'critical',
      status: 'firing',
      labels: { event_type: 'incident.triggered', service: 'Payments API', urgency: 'high', priority: 'P1', incident_number: '1841' },
      occurredAt: '2025-03-04T13:05:21.042Z',
      receivedAt: RECEIVED_AT.toISOString(),
      link: 'https://acme.pagerduty.com/incidents/Q2MBTJ3WXY6JEH',
      raw: body,
    });
  });

  it('normalises a resolved incident with the same fingerprint, severity from urgency without a priority', () => {
    const [alert] = alertsOf(pagerduty.normalise(fixture('pagerduty', 'incident-resolved').body, context()));
    assert.deepEqual([alert?.status, alert?.fingerprint, alert?.severity], ['resolved', 'Q2MBTJ3WXY6JEH', 'low']);
  });

  it('yields no alerts for responder activity such as acknowledgement', () => {
    assert.deepEqual(pagerduty.normalise(fixture('pagerduty', 'incident-acknowledged').body, context()), { ok: true, alerts: [] });
  });

  it('reports a malformed envelope and malformed incident data at their paths', () => {
    assert.deepEqual(issuePaths(pagerduty.normalise({ event: { event_type: 'incident.triggered' } }, context())).sort(), [
      ['event', 'data'], ['event', 'id'], ['event', 'occurred_at'], ['event', 'resource_type'],
    ]);
    const b = body as { event: { data: Record<string, unknown> } };
    const noTitle = { event: { ...b.event, data: { ...b.event.data, title: '' } } };
    assert.deepEqual(issuePaths(pagerduty.normalise(noTitle, context())), [['event', 'data', 'title']]);
  });
});
