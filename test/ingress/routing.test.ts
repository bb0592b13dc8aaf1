import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually, type FirebreakUnderTest } from '../helpers/firebreak';
import { deliveriesCounted, incident, secretEnv, send, startIngress, whsec } from './ingress-harness';

type Routed = { incidentId: string; runbook: string; via: string };

describe('routing: source rules, global rules, runbook match, default runbook', function () {
  this.timeout(120_000);
  const secret = whsec();
  const refs = secretEnv('routing', { secret });
  const auth = { secrets: [secret] };
  let fb: FirebreakUnderTest;
  const alert = (labels: Record<string, string>, severity = 'low') => ({ title: `routing ${randomUUID()}`, severity, labels });
  const routed = (body: Record<string, unknown>): Routed => (body.incidents as Routed[])[0]!;

  before(async () => {
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
    });
  });
  after(async () => fb?.stop());

  it("a source's own rule wins first and sets the severity", async () => {
    const answer = await send(fb, 'rt', 'standard-webhooks', auth, alert({ team: 'payments', env: 'prod', category: 'phishing' }));
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const r = routed(answer.body);
    assert.deepEqual([r.runbook, r.via], ['compromised-account', 'rule']);
    assert.equal((await eventually(async () => incident(fb, r.incidentId))).severity, 'critical');
  });

  it('a global rule applies to every source, before runbook match', async () => {
    const answer = await send(fb, 'other', 'standard-webhooks', auth, alert({ team: 'payments', env: 'prod', category: 'phishing' }));
    assert.deepEqual([routed(answer.body).runbook, routed(answer.body).via], ['ddos-availability', 'rule']);
    assert.equal((await eventually(async () => incident(fb, routed(answer.body).incidentId))).severity, 'low', 'no severity in the rule: the sender\'s stays');
  });

  it("then the runbooks' own match rules", async () => {
    const answer = await send(fb, 'other', 'standard-webhooks', auth, alert({ category: 'phishing' }));
    assert.deepEqual([routed(answer.body).runbook, routed(answer.body).via], ['phishing-campaign', 'match']);
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
