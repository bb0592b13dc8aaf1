import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SourceKindName } from '../../ingress/webhooks/sources';
import { eventually, type FirebreakUnderTest } from '../helpers/firebreak';
import { hexSecret, incident, incidentIds, secretEnv, send, startIngress, whsec } from './ingress-harness';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'alerts');
const fixture = (kind: string, name: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(FIXTURES, kind, `${name}.json`), 'utf8')) as Record<string, unknown>;
const unique = (): string => randomUUID().replace(/-/g, '').slice(0, 12);

/** A body of each kind, with its identity (fingerprint) made unique so every test gets its own incident. */
const bodies: Record<SourceKindName, () => Record<string, unknown>> = {
  'standard-webhooks': () => ({ title: `Disk full ${unique()}`, severity: 'high', labels: { host: 'db-1' } }),
  alertmanager: () => {
    const body = fixture('alertmanager', 'firing-group');
    (body.alerts as Record<string, unknown>[]).forEach((a) => (a.fingerprint = unique()));
    return body;
  },
  grafana: () => {
    const body = fixture('grafana', 'firing');
    (body.alerts as Record<string, unknown>[]).forEach((a) => (a.fingerprint = unique()));
    return body;
  },
  github: () => {
    const body = fixture('github', 'secret-scanning-created');
    (body.alert as Record<string, unknown>).number = Math.floor(Math.random() * 1e9) + 1;
    return body;
  },
  pagerduty: () => {
    const body = fixture('pagerduty', 'incident-triggered');
    ((body.event as Record<string, unknown>).data as Record<string, unknown>).id = `Q${unique().toUpperCase()}`;
    return body;
  },
};

describe('every source kind through real HTTP into real incidents', function () {
  this.timeout(120_000);
  const values = {
    swOld: whsec(), swNew: whsec(), amToken: hexSecret(), gfHmac: hexSecret(), ghOld: hexSecret(), ghNew: hexSecret(), pdOld: hexSecret(), pdNew: hexSecret(),
  };
  const refs = secretEnv('kinds', values);
  // What each sender signs with: the same values the config references resolve to.
  const auth: Record<string, { kind: SourceKindName; auth: Record<string, unknown>; config: Record<string, unknown> }> = {
    sw: { kind: 'standard-webhooks', auth: { secrets: [values.swNew] }, config: { secrets: [refs.swOld, refs.swNew] } },
    am: { kind: 'alertmanager', auth: { bearerTokens: [values.amToken] }, config: { bearerTokens: [refs.amToken] } },
    gf: {
      kind: 'grafana',
      auth: { hmac: { secrets: [values.gfHmac], signatureHeader: 'x-grafana-alerting-signature', timestampHeader: 'x-grafana-alerting-timestamp' } },
      config: { hmac: { secrets: [refs.gfHmac], timestampHeader: 'X-Grafana-Alerting-Timestamp' } },
    },
    gh: { kind: 'github', auth: { secrets: [values.ghNew] }, config: { secrets: [refs.ghOld, refs.ghNew] } },
    pd: { kind: 'pagerduty', auth: { secrets: [values.pdOld, values.pdNew] }, config: { secrets: [refs.pdNew] } },
  };
  let fb: FirebreakUnderTest;

  before(async () => {
    fb = await startIngress({
      sources: Object.fromEntries(Object.entries(auth).map(([name, s]) => [name, { kind: s.kind, auth: s.config }])),
      routing: { rules: [], defaultRunbook: 'generic-alert-notice' },
    });
  });
  after(async () => fb?.stop());

  for (const [name, source] of Object.entries(auth)) {
    it(`${source.kind}: a signed delivery opens an incident on the default runbook (202)`, async () => {
      const answer = await send(fb, name, source.kind, source.auth, bodies[source.kind]());
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      const ids = incidentIds(answer);
      assert.ok(ids.length >= 1);
      for (const id of ids) {
        assert.ok(id.startsWith(`incident/${name}/`), id);
        const status = await eventually(async () => incident(fb, id));
        assert.equal(status.runbook.id, 'generic-alert-notice');
        assert.equal(status.alerts.count, 1);
      }
    });

    it(`${source.kind}: a one-byte change after signing is refused (401)`, async () => {
      const body = bodies[source.kind]();
      // Alertmanager cannot sign: for it, a wrong bearer token stands in for a forgery.
      const forged = source.kind === 'alertmanager' ? { bearerTokens: [hexSecret()] } : source.auth;
      const answer = await send(fb, name, source.kind, forged, body, { tamper: (raw) => (source.kind === 'alertmanager' ? raw : raw.replace('"', ' "')) });
      assert.equal(answer.status, 401);
      assert.equal(answer.body.error, 'auth.bad_signature');
    });

    it(`${source.kind}: a replayed delivery is answered 200 with no new effect`, async () => {
      const body = bodies[source.kind]();
      const deliveryId = source.kind === 'standard-webhooks' ? `msg_${unique()}` : randomUUID();
      const first = await send(fb, name, source.kind, source.auth, body, { deliveryId });
      const replay = await send(fb, name, source.kind, source.auth, body, { deliveryId });
      assert.equal(first.status, 202, JSON.stringify(first.body));
      assert.equal(replay.status, 200);
      assert.equal(replay.body.duplicate, true);
      for (const id of incidentIds(first)) assert.equal((await incident(fb, id)).alerts.count, 1);
    });
  }

  for (const name of ['sw', 'gf'] as const) {
    it(`${auth[name]!.kind}: stale and future signed timestamps are refused (401)`, async () => {
      const { kind, auth: creds } = auth[name]!;
      const stale = await send(fb, name, kind, creds, bodies[kind](), { now: new Date(Date.now() - 3600_000) });
      const future = await send(fb, name, kind, creds, bodies[kind](), { now: new Date(Date.now() + 3600_000) });
      assert.deepEqual([stale.status, stale.body.error, future.status, future.body.error], [401, 'auth.stale', 401, 'auth.future']);
    });
  }

  it('rotation: old and new secrets are both accepted while configured; a retired one is refused', async () => {
    const swOld = await send(fb, 'sw', 'standard-webhooks', { secrets: [values.swOld] }, bodies['standard-webhooks']());
    const swNew = await send(fb, 'sw', 'standard-webhooks', { secrets: [values.swNew] }, bodies['standard-webhooks']());
    const ghOld = await send(fb, 'gh', 'github', { secrets: [values.ghOld] }, bodies.github());
    // PagerDuty signs with every active secret; the receiver that only knows the new one still accepts.
    const pdBoth = await send(fb, 'pd', 'pagerduty', { secrets: [values.pdOld, values.pdNew] }, bodies.pagerduty());
    const pdRetired = await send(fb, 'pd', 'pagerduty', { secrets: [values.pdOld] }, bodies.pagerduty());
    assert.deepEqual([swOld.status, swNew.status, ghOld.status, pdBoth.status, pdRetired.status], [202, 202, 202, 202, 401]);
    assert.equal(pdRetired.body.error, 'auth.bad_signature');
  });
});
