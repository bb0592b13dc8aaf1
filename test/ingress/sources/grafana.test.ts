import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { grafana, GrafanaAuth } from '../../../ingress/webhooks/sources/grafana';
import { signGrafana } from '../../helpers/sign';
import {
  alertsOf, context, delivery, fixture, issuePaths, RECEIVED_AT_SECONDS, refusedWith, withOneByteChanged,
} from './support';

const { rawBody, body } = fixture('grafana', 'firing');
const hmacOnly = GrafanaAuth.parse({ hmac: { secrets: ['old-secret', 'new-secret'] } });
const withTimestamp = GrafanaAuth.parse({ hmac: { secrets: ['new-secret'], timestampHeader: 'X-Grafana-Alerting-Signature-Timestamp' } });
const SIGNATURE = 'x-grafana-alerting-signature';
const TIMESTAMP = 'x-grafana-alerting-signature-timestamp';

describe('grafana authentication', () => {
  it('signs as lowercase hex HMAC-SHA256 of the body, or of "timestamp:body"', () => {
    const expected = createHmac('sha256', 'new-secret').update('1700000000:').update(rawBody).digest('hex');
    assert.equal(signGrafana('new-secret', rawBody, 1700000000), expected);
    assert.match(signGrafana('new-secret', rawBody), /^[0-9a-f]{64}$/);
  });

  it('accepts a body signed with either configured secret', () => {
    for (const secret of ['old-secret', 'new-secret']) {
      assert.equal(grafana.authenticate(delivery({ [SIGNATURE]: signGrafana(secret, rawBody) }, rawBody), hmacOnly).ok, true);
    }
  });

  it('refuses a body with one byte changed, and an unknown secret', () => {
    const headers = { [SIGNATURE]: signGrafana('new-secret', rawBody) };
    assert.equal(refusedWith(grafana.authenticate(delivery(headers, withOneByteChanged(rawBody)), hmacOnly)), 'auth.bad_signature');
    const foreign = { [SIGNATURE]: signGrafana('other', rawBody) };
    assert.equal(refusedWith(grafana.authenticate(delivery(foreign, rawBody), hmacOnly)), 'auth.bad_signature');
  });

  it('checks the signed timestamp window when a timestamp header is configured', () => {
    const at = (ts: number) =>
      grafana.authenticate(delivery({ [SIGNATURE]: signGrafana('new-secret', rawBody, ts), [TIMESTAMP]: String(ts) }, rawBody), withTimestamp);
    assert.equal(at(RECEIVED_AT_SECONDS - 10).ok, true);
    assert.equal(refusedWith(at(RECEIVED_AT_SECONDS - 301)), 'auth.stale');
    assert.equal(refusedWith(at(RECEIVED_AT_SECONDS + 301)), 'auth.future');
  });

  it('refuses a timestamp that was not the one signed', () => {
    const headers = { [SIGNATURE]: signGrafana('new-secret', rawBody, RECEIVED_AT_SECONDS), [TIMESTAMP]: String(RECEIVED_AT_SECONDS - 1) };
    assert.equal(refusedWith(grafana.authenticate(delivery(headers, rawBody), withTimestamp)), 'auth.bad_signature');
  });

  it('refuses missing and malformed signature or timestamp headers', () => {
    const sig = signGrafana('new-secret', rawBody, RECEIVED_AT_SECONDS);
    assert.equal(refusedWith(grafana.authenticate(delivery({}, rawBody), hmacOnly)), 'auth.missing');
    assert.equal(refusedWith(grafana.authenticate(delivery({ [SIGNATURE]: sig }, rawBody), withTimestamp)), 'auth.missing');
    assert.equal(refusedWith(grafana.authenticate(delivery({ [SIGNATURE]: 'sha256=abc' }, rawBody), hmacOnly)), 'auth.malformed');
    const badTs = { [SIGNATURE]: sig, [TIMESTAMP]: 'now' };
    assert.equal(refusedWith(grafana.authenticate(delivery(badTs, rawBody), withTimestamp)), 'auth.malformed');
  });

  it('requires both the signature and the credentials when both are configured', () => {
    const both = GrafanaAuth.parse({ hmac: { secrets: ['s'] }, bearerTokens: ['t'] });
    const sig = { [SIGNATURE]: signGrafana('s', rawBody) };
    assert.equal(grafana.authenticate(delivery({ ...sig, authorization: 'Bearer t' }, rawBody), both).ok, true);
    assert.equal(refusedWith(grafana.authenticate(delivery(sig, rawBody), both)), 'auth.missing');
    assert.equal(refusedWith(grafana.authenticate(delivery({ authorization: 'Bearer t' }, rawBody), both)), 'auth.missing');
  });

  it('accepts bearer credentials alone when no HMAC is configured', () => {
    const bearer = GrafanaAuth.parse({ bearerTokens: ['t'] });
    assert.equal(grafana.authenticate(delivery({ authorization: 'Bearer t' }, rawBody), bearer).ok, true);
    assert.equal(GrafanaAuth.safeParse({}).success, false);
  });
});

describe('grafana normalisation', () => {
  it('normalises a Grafana alert, linking to its panel', () => {
    const [alert, ...rest] = alertsOf(grafana.normalise(body, context()));
    assert.equal(rest.length, 0);
    assert.equal(alert?.fingerprint, '57c6d9296de2ad39');
    assert.equal(alert?.title, 'Failed logins above 200/min on auth');
    assert.equal(alert?.severity, 'critical', 'error maps to critical');
    assert.equal(alert?.status, 'firing');
    assert.equal(alert?.occurredAt, '2025-03-04T10:20:00+01:00');
    assert.equal(alert?.link, 'https://grafana.example.com/d/auth01?orgId=1&viewPanel=4');
    assert.equal(alert?.labels.grafana_folder, 'Security');
    assert.equal(alert?.description, 'Possible credential stuffing.');
  });

  it('derives a stable delivery id from the group', () => {
    const id = grafana.deliveryId(delivery({}, rawBody));
    assert.match(id ?? '', /^[0-9a-f]{64}$/);
    assert.equal(grafana.deliveryId(delivery({}, JSON.stringify(body))), id);
  });

  it('reports an Alertmanager body (wrong version, no orgId) at version and orgId', () => {
    const { body: am } = fixture('alertmanager', 'firing-group');
    assert.deepEqual(issuePaths(grafana.normalise(am, context())).sort(), [['orgId'], ['version']]);
  });
});
