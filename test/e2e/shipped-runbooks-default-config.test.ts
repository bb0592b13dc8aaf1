import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncidentStatus } from '../../workflows/incident/state';
import { type FirebreakUnderTest, eventually } from '../helpers/firebreak';
import { hexSecret, secretEnv, send, startIngress, whsec } from '../ingress/ingress-harness';

/*
 * Every shipped runbook on the default config, as a new user meets it: declared (with the labels its scenario alert
 * carries) and as a realistic alert. Each either completes end to end, with scripted people answering and approving,
 * or is refused at the start with one message naming the config keys to set; an alert is never left failed or
 * stranded. The table it prints is the one in issue 19's closing note.
 */

const LIBRARY = path.resolve(__dirname, '..', '..', 'runbooks', 'library');
const SCENARIOS = path.resolve(__dirname, '..', 'fixtures', 'runbook-scenarios');
const ALERTS = path.resolve(__dirname, '..', 'fixtures', 'alerts');
const PEOPLE = [{ id: 'alice', roles: ['legal', 'dpo', 'incident-commander', 'security-oncall'] }];

/** Answers and approves as alice until the incident closes; the phase it ended in and the steps that ran. */
async function drive(fb: FirebreakUnderTest, id: string): Promise<IncidentStatus> {
  let last: IncidentStatus | undefined;
  return eventually(async () => {
    const s = (await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`)).body;
    last = s;
    if (!s.steps) return undefined;
    if (s.phase !== 'running') return s;
    for (const step of s.steps.filter((x) => x.kind === 'approval' && x.state === 'waiting')) {
      const draftSha256 = s.approvals.find((a) => a.stepId === step.id)?.draftSha256;
      await fb.api('POST', `/v1/incidents/${id}/steps/${step.id}/approve`, { reason: 'scripted approval', draftSha256 }, 'token-alice');
    }
    for (const input of s.pendingInputs) {
      const value = { boolean: false, choice: input.choices?.[0], text: 'none', number: 0, timestamp: new Date().toISOString() }[input.type];
      await fb.api('POST', `/v1/incidents/${id}/steps/${input.stepId}/answer`, { value }, 'token-alice');
    }
    if (s.steps.some((x) => x.state === 'blocked')) return s;
    return undefined;
  }, 90_000, `incident ${id} to finish`).catch((error: Error) => {
    throw new Error(`${error.message}; it is at ${JSON.stringify(last?.steps?.filter((x) => x.state !== 'done'))}`);
  });
}

const outcome = (s: IncidentStatus): string => `${s.phase} (${s.steps.filter((x) => x.state === 'done').length} steps done)`;

describe('every shipped runbook on the default config', function () {
  this.timeout(600_000);
  const secrets = { gh: hexSecret(), pd: hexSecret(), grafana: hexSecret(), am: hexSecret(), sw: whsec() };
  const refs = secretEnv('defaultcfg', secrets);
  const table: string[] = [];
  let fb: FirebreakUnderTest;

  before(async () => {
    // The default config, plus one source of each kind (a sender needs its credentials) and a person to decide.
    fb = await startIngress(
      {
        sources: {
          am: { kind: 'alertmanager', auth: { bearerTokens: [refs.am] } },
          grafana: { kind: 'grafana', auth: { bearerTokens: [refs.grafana] } },
          gh: { kind: 'github', auth: { secrets: [refs.gh] } },
          pd: { kind: 'pagerduty', auth: { secrets: [refs.pd] } },
        },
        routing: { rules: [], defaultRunbook: 'generic-alert-notice' },
      },
      // The harness's file replaces FirebreakUnderTest's, so the person goes in it too (token-alice, set by `people`).
      { people: PEOPLE, config: { people: PEOPLE.map((p) => ({ ...p, tokens: ['env:FB_TEST_TOKEN_ALICE'] })) } },
    );
  });
  after(async () => {
    await fb?.stop();
    console.log(`\n${table.join('\n')}\n`);
  });

  for (const file of readdirSync(LIBRARY).sort()) {
    const id = file.replace(/\.yaml$/, '');
    it(`${id}: declared, completes or is refused naming the config keys; its alert completes`, async () => {
      const scenario = JSON.parse(readFileSync(path.join(SCENARIOS, `${id}.alert.json`), 'utf8')) as { title: string; severity: string; labels: Record<string, string> };
      const declared = await fb.api<{ incidentId?: string; error?: string; message?: string }>('POST', '/v1/incidents', { title: scenario.title, runbook: id, severity: scenario.severity, labels: scenario.labels });
      let declaredResult: string;
      if (declared.status === 201) {
        const s = await drive(fb, declared.body.incidentId!);
        assert.equal(s.phase, 'completed', JSON.stringify(s.steps.filter((x) => x.state !== 'done')));
        declaredResult = outcome(s);
      } else {
        assert.equal(declared.status, 409, JSON.stringify(declared.body));
        assert.equal(declared.body.error, 'runbook.config_missing');
        assert.match(declared.body.message!, new RegExp(`^runbook ${id} needs config that is not set: `));
        declaredResult = `refused 409: ${declared.body.message!.replace(/^runbook \S+ needs config that is not set: /, '').replace(/; set (it|them).*$/, '')}`;
      }

      const { source: _source, ...alert } = scenario as { source?: string };
      const sent = await fb.sendAlert({ ...alert, fingerprint: `default-config-${id}-${Date.now()}` });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const [routed] = sent.body.incidents as { incidentId: string; runbook: string; via: string; passedOver?: { runbook: string }[] }[];
      const s = await drive(fb, routed!.incidentId);
      assert.equal(s.phase, 'completed', JSON.stringify(s.steps.filter((x) => x.state !== 'done')));
      if (routed!.runbook !== id) assert.ok(routed!.passedOver?.some((p) => p.runbook === id), `${id} was passed over, and the answer says so`);
      table.push(`| ${id} | ${declaredResult} | ${routed!.runbook} via ${routed!.via}${routed!.passedOver ? ` (passed over: ${routed!.passedOver.map((p) => p.runbook).join(', ')})` : ''}: ${outcome(s)} |`);
    });
  }

  const deliveries: [string, string, string, Record<string, string>?][] = [
    ['am', 'alertmanager', 'alertmanager/firing-group.json'],
    ['grafana', 'grafana', 'grafana/firing.json'],
    ['gh', 'github', 'github/secret-scanning-created.json', { githubEvent: 'secret_scanning_alert' }],
    ['pd', 'pagerduty', 'pagerduty/incident-triggered.json'],
  ];
  for (const [source, kind, fixture, options] of deliveries) {
    it(`a realistic ${kind} delivery completes its incident`, async () => {
      const auth = { am: { bearerTokens: [secrets.am] }, grafana: { bearerTokens: [secrets.grafana] }, gh: { secrets: [secrets.gh] }, pd: { secrets: [secrets.pd] } }[source];
      const body = JSON.parse(readFileSync(path.join(ALERTS, fixture), 'utf8')) as unknown;
      const sent = await send(fb, source, kind as never, auth, body, options ?? {});
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const incidents = sent.body.incidents as { incidentId?: string; runbook: string; via: string; outcome: string }[];
      assert.ok(incidents.some((i) => i.incidentId), 'at least one alert opened an incident');
      const results: string[] = [];
      for (const incident of incidents) {
        // Alertmanager's group carries a resolved alert too: a resolve for a fingerprint with no incident opens none.
        if (!incident.incidentId) {
          results.push(`a resolved alert: ${incident.outcome}`);
          continue;
        }
        const s = await drive(fb, incident.incidentId);
        assert.equal(s.phase, 'completed', JSON.stringify(s.steps.filter((x) => x.state !== 'done')));
        results.push(`${incident.runbook} via ${incident.via}: ${outcome(s)}`);
      }
      table.push(`| ${kind} (${fixture}) | | ${results.join('; ')} |`);
    });
  }
});
