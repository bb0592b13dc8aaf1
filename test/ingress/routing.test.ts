import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { readAuditRecords } from '../../audit';
import { eventually, type FirebreakUnderTest } from '../helpers/firebreak';
import { deliveriesCounted, incident, secretEnv, send, startIngress, whsec } from './ingress-harness';

type Routed = { incidentId: string; runbook: string; via: string; passedOver?: { runbook: string; reason: string }[] };

/** What compromised-account (with its child personal-data-breach), ddos-availability and phishing-campaign require (`requires.config`). */
const RUNBOOK_CONFIG = {
  contacts: Object.fromEntries(['security', 'it-helpdesk', 'nydfs-filer', 'status-page', 'csirt', 'financial-regulator', 'all-staff', 'dpo', 'lead-sa', 'customer-comms', 'privacy-office', 'press-office'].map((c) => [c, `${c}@example.com`])),
  endpoints: Object.fromEntries(
    ['identity-provider', 'ddos-protection', 'mail-gateway', 'web-proxy', 'idp', 'firewall'].map((e) => [e, { url: `https://${e}.example.com`, secrets: { [`${e}-token`]: 'env:ROUTING_UNUSED_TOKEN' } }]),
  ),
  containment: { identity: 'idp', network: 'firewall' },
};
const PHISHING = { category: 'phishing', sender: 'hr@payroll.example.net', url: 'https://payroll.example.net/login', subject: 'Confirm your payroll details' };

describe('routing: source rules, global rules, runbook match, default runbook', function () {
  this.timeout(120_000);
  const secret = whsec();
  const refs = secretEnv('routing', { secret });
  const auth = { secrets: [secret] };
  let fb: FirebreakUnderTest;
  const alert = (labels: Record<string, string>, severity = 'low') => ({ title: `routing ${randomUUID()}`, severity, labels });
  const routed = (body: Record<string, unknown>): Routed => (body.incidents as Routed[])[0]!;

  before(async () => {
    // The endpoints are never called here (routing is what is under test), but the worker resolves their secrets at start.
    process.env.ROUTING_UNUSED_TOKEN = 'unused';
    fb = await startIngress({
      sources: {
        rt: {
          kind: 'standard-webhooks',
          auth: { secrets: [refs.secret] },
          routing: [{ when: 'has(alert.labels.team) && alert.labels.team == "payments"', runbook: 'compromised-account', severity: 'critical' }],
        },
        other: { kind: 'standard-webhooks', auth: { secrets: [refs.secret] } },
      },
      routing: { rules: [{ when: 'has(alert.labels.env) && alert.labels.env == "prod"', runbook: 'ddos-availability' }], defaultRunbook: 'generic-alert-notice' },
    }, { config: RUNBOOK_CONFIG });
  });
  after(async () => fb?.stop());

  it("a source's own rule wins first and sets the severity", async () => {
    const answer = await send(fb, 'rt', 'standard-webhooks', auth, alert({ team: 'payments', env: 'prod', user: 'm.smith', ...PHISHING }));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const r = routed(answer.body);
    assert.deepEqual([r.runbook, r.via], ['compromised-account', 'rule']);
    assert.equal((await eventually(async () => incident(fb, r.incidentId))).severity, 'critical');
  });

  it('a global rule applies to every source, before runbook match', async () => {
    const answer = await send(fb, 'other', 'standard-webhooks', auth, alert({ team: 'payments', env: 'prod', ...PHISHING }));
    assert.deepEqual([routed(answer.body).runbook, routed(answer.body).via], ['ddos-availability', 'rule']);
    assert.equal((await eventually(async () => incident(fb, routed(answer.body).incidentId))).severity, 'low', 'no severity in the rule: the sender\'s stays');
  });

  it("then the runbooks' own match rules", async () => {
    const answer = await send(fb, 'other', 'standard-webhooks', auth, alert(PHISHING));
    assert.deepEqual([routed(answer.body).runbook, routed(answer.body).via], ['phishing-campaign', 'match']);
  });

  it('passes over a runbook whose requirements the alert cannot meet, and the audit record says why', async () => {
    // A source rule for compromised-account, but no `user` label: the rule's runbook is passed over, as is
    // phishing-campaign (no subject), and the default runbook takes the alert.
    const { subject: _subject, ...noSubject } = PHISHING;
    const answer = await send(fb, 'rt', 'standard-webhooks', auth, alert({ team: 'payments', ...noSubject }));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const r = routed(answer.body);
    assert.deepEqual([r.runbook, r.via], ['generic-alert-notice', 'default']);
    assert.deepEqual(r.passedOver, [
      { runbook: 'compromised-account', reason: 'compromised-account needs what it cannot get: the alert has no "user" label' },
      { runbook: 'phishing-campaign', reason: 'phishing-campaign needs what it cannot get: the alert has no "subject" label' },
    ]);
    const record = await eventually(async () => {
      for await (const entry of readAuditRecords(path.join(fb.dataDir, 'audit'), { incidentId: r.incidentId })) if (entry.action === 'alert.accepted') return entry;
      return undefined;
    });
    assert.deepEqual([record.data.runbook, record.data.via, record.data.passedOver], ['generic-alert-notice', 'default', r.passedOver]);
  });

  it('passes over a runbook whose config is not set, naming the key', async () => {
    const bare = await startIngress({ sources: { bare: { kind: 'standard-webhooks', auth: { secrets: [refs.secret] } } }, routing: { rules: [], defaultRunbook: 'generic-alert-notice' } });
    try {
      const answer = await send(bare, 'bare', 'standard-webhooks', auth, alert({ category: 'ransomware', host: 'wks-042' }));
      const r = routed(answer.body);
      assert.deepEqual([r.runbook, r.via], ['generic-alert-notice', 'default']);
      assert.equal(r.passedOver?.[0]?.runbook, 'ransomware-host');
      assert.match(r.passedOver![0]!.reason, /the config does not set containment\.host, containment\.network, endpoints\.edr, /);
    } finally {
      await bare.stop();
    }
  });

  it('then the configured default runbook', async () => {
    const answer = await send(fb, 'other', 'standard-webhooks', auth, alert({ category: 'nothing-matches' }));
    assert.deepEqual([routed(answer.body).runbook, routed(answer.body).via], ['generic-alert-notice', 'default']);
  });

  it('without a default, an unclaimed alert is refused 422, logged and counted, never dropped silently', async () => {
    const strict = await startIngress({ sources: { st: { kind: 'standard-webhooks', auth: { secrets: [refs.secret] } } } });
    try {
      const answer = await send(strict, 'st', 'standard-webhooks', auth, alert({ category: 'nothing-matches' }));
      assert.deepEqual([answer.status, answer.body.error], [422, 'alert.no_runbook']);
      assert.equal(await deliveriesCounted(strict, 'st', 'no_runbook'), 1);
    } finally {
      await strict.stop();
    }
  });
});
