import assert from 'node:assert/strict';
import { standardWebhooks, StandardWebhooksAuth } from '../../../ingress/webhooks/sources/standard-webhooks';
import { signStandardWebhook } from '../../helpers/sign';
import {
  alertsOf, context, delivery, fixture, issuePaths, RECEIVED_AT, RECEIVED_AT_SECONDS, refusedWith, withOneByteChanged,
} from './support';

// Known-answer vector (platform-facts §1).
const KAT = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const OLD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEW_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const auth = (secrets: string[], toleranceSeconds?: number) => StandardWebhooksAuth.parse({ secrets, toleranceSeconds });

function signed(body: string | Buffer, opts: { secret?: string; ts?: number; id?: string } = {}) {
  const id = opts.id ?? 'msg_1';
  const ts = opts.ts ?? RECEIVED_AT_SECONDS;
  const signature = signStandardWebhook(opts.secret ?? NEW_SECRET, id, ts, body);
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature };
}

describe('standard-webhooks authentication', () => {
  it('signs the known-answer vector to the documented signature', () => {
    assert.equal(signStandardWebhook(KAT.secret, KAT.id, KAT.timestamp, KAT.body), KAT.signature);
  });

  it('accepts the known-answer vector when received within the tolerance', () => {
    const headers = { 'webhook-id': KAT.id, 'webhook-timestamp': String(KAT.timestamp), 'webhook-signature': KAT.signature };
    const result = standardWebhooks.authenticate(delivery(headers, KAT.body, new Date((KAT.timestamp + 60) * 1000)), auth([KAT.secret]));
    assert.deepEqual(result, { ok: true });
  });

  it('refuses a body with one byte changed', () => {
    const body = Buffer.from('{"title":"x","labels":{}}');
    const result = standardWebhooks.authenticate(delivery(signed(body), withOneByteChanged(body, 3)), auth([NEW_SECRET]));
    assert.equal(refusedWith(result), 'auth.bad_signature');
  });

  it('refuses a signature made with a secret that is not configured', () => {
    const result = standardWebhooks.authenticate(delivery(signed('{}', { secret: OLD_SECRET }), '{}'), auth([NEW_SECRET]));
    assert.equal(refusedWith(result), 'auth.bad_signature');
  });

  it('refuses a timestamp older than the tolerance as stale and one ahead of it as future', () => {
    const stale = standardWebhooks.authenticate(delivery(signed('{}', { ts: RECEIVED_AT_SECONDS - 301 }), '{}'), auth([NEW_SECRET]));
    const future = standardWebhooks.authenticate(delivery(signed('{}', { ts: RECEIVED_AT_SECONDS + 301 }), '{}'), auth([NEW_SECRET]));
    assert.equal(refusedWith(stale), 'auth.stale');
    assert.equal(refusedWith(future), 'auth.future');
  });

  it('accepts timestamps exactly at the tolerance and honours a configured tolerance', () => {
    const edge = standardWebhooks.authenticate(delivery(signed('{}', { ts: RECEIVED_AT_SECONDS - 300 }), '{}'), auth([NEW_SECRET]));
    const wide = standardWebhooks.authenticate(delivery(signed('{}', { ts: RECEIVED_AT_SECONDS - 900 }), '{}'), auth([NEW_SECRET], 1200));
    const narrow = standardWebhooks.authenticate(delivery(signed('{}', { ts: RECEIVED_AT_SECONDS - 61 }), '{}'), auth([NEW_SECRET], 60));
    assert.deepEqual([edge.ok, wide.ok, refusedWith(narrow)], [true, true, 'auth.stale']);
  });

  it('accepts both the old and the new secret during rotation', () => {
    const both = auth([OLD_SECRET, NEW_SECRET]);
    for (const secret of [OLD_SECRET, NEW_SECRET]) {
      assert.equal(standardWebhooks.authenticate(delivery(signed('{}', { secret }), '{}'), both).ok, true);
    }
  });

  it('accepts a header carrying several signatures when any one matches, ignoring v1a entries', () => {
    const good = signStandardWebhook(NEW_SECRET, 'msg_1', RECEIVED_AT_SECONDS, '{}');
    const other = signStandardWebhook(OLD_SECRET, 'msg_1', RECEIVED_AT_SECONDS, '{}');
    const headers = { ...signed('{}'), 'webhook-signature': `v1a,AAAA ${other} ${good}` };
    assert.equal(standardWebhooks.authenticate(delivery(headers, '{}'), auth([NEW_SECRET])).ok, true);
  });

  it('refuses missing headers as auth.missing', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const headers: Record<string, string> = { ...signed('{}') };
      delete headers[name];
      assert.equal(refusedWith(standardWebhooks.authenticate(delivery(headers, '{}'), auth([NEW_SECRET]))), 'auth.missing', name);
    }
  });

  it('refuses malformed headers as auth.malformed', () => {
    const base = signed('{}');
    const cases: Record<string, string>[] = [
      { ...base, 'webhook-timestamp': '2025-03-04T14:00:00Z' },
      { ...base, 'webhook-signature': 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' },
      { ...base, 'webhook-id': 'msg.1' },
    ];
    for (const headers of cases) {
      assert.equal(refusedWith(standardWebhooks.authenticate(delivery(headers, '{}'), auth([NEW_SECRET]))), 'auth.malformed');
    }
  });

  it('takes the delivery id from webhook-id', () => {
    assert.equal(standardWebhooks.deliveryId(delivery(signed('{}', { id: 'msg_abc' }), '{}')), 'msg_abc');
    assert.equal(standardWebhooks.deliveryId(delivery({}, '{}')), undefined);
  });

  it('rejects secrets that are not whsec_ base64 of at least 24 bytes', () => {
    const parsed = StandardWebhooksAuth.safeParse({ secrets: ['whsec_c2hvcnQ=', 'plain-secret'] });
    assert.deepEqual(parsed.error?.issues.map((i) => i.path), [['secrets', 0], ['secrets', 1]]);
  });
});

describe('standard-webhooks normalisation', () => {
  it('normalises a full generic alert, keeping unknown fields in raw', () => {
    const { body } = fixture('standard-webhooks', 'full');
    const [alert, ...rest] = alertsOf(standardWebhooks.normalise(body, context()));
    assert.equal(rest.length, 0);
    assert.deepEqual(alert, {
      source: 'test-source',
      deliveryId: 'delivery-1',
      fingerprint: 'idp-impossible-travel/j.doe',
      title: 'Impossible travel for j.doe@example.com',
      severity: 'high',
      status: 'firing',
      labels: { category: 'account-compromise', user: 'j.doe@example.com', team: 'security' },
      description: 'Sign-ins from Lisbon and Singapore 14 minutes apart.',
      occurredAt: '2025-03-04T09:15:00+01:00',
      receivedAt: RECEIVED_AT.toISOString(),
      link: 'https://siem.example.com/detections/8841',
      raw: body,
    });
  });

  it('fills defaults and derives a fingerprint that ignores label order', () => {
    const { body } = fixture('standard-webhooks', 'minimal');
    const [alert] = alertsOf(standardWebhooks.normalise(body, context()));
    assert.equal(alert?.severity, 'medium');
    assert.equal(alert?.status, 'firing');
    assert.equal(alert?.occurredAt, RECEIVED_AT.toISOString());
    assert.match(alert?.fingerprint ?? '', /^[0-9a-f]{64}$/);
    const reordered = { title: 'Disk almost full on db-1', labels: { mount: '/var/lib/postgresql', host: 'db-1' } };
    const [again] = alertsOf(standardWebhooks.normalise(reordered, context()));
    assert.equal(again?.fingerprint, alert?.fingerprint);
    const [other] = alertsOf(standardWebhooks.normalise({ ...reordered, labels: { host: 'db-2' } }, context()));
    assert.notEqual(other?.fingerprint, alert?.fingerprint);
  });

  it('reports every malformed field at its JSON path', () => {
    const result = standardWebhooks.normalise(
      { severity: 'urgent', status: 'open', labels: { host: 7 }, occurredAt: '2025-03-04 09:15', link: 'javascript:alert(1)' },
      context(),
    );
    assert.deepEqual(
      issuePaths(result).sort(),
      [['labels', 'host'], ['link'], ['occurredAt'], ['severity'], ['status'], ['title']].sort(),
    );
  });

  it('reports a body that is not an object at the root path', () => {
    assert.deepEqual(issuePaths(standardWebhooks.normalise([1, 2], context())), [[]]);
  });

  it('reports a title longer than the Alert allows at title', () => {
    assert.deepEqual(issuePaths(standardWebhooks.normalise({ title: 'x'.repeat(501) }, context())), [['title']]);
  });
});
