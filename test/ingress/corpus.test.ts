import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readAuditRecords } from '../../audit';
import type { SourceKindName } from '../../ingress/webhooks/sources';
import { type ApiAnswer, eventually, type FirebreakUnderTest } from '../helpers/firebreak';
import { hexSecret, incident, incidentIds, secretEnv, send, startIngress } from './ingress-harness';

/*
 * The vendors' own published example deliveries (test/fixtures/alerts/corpus/SOURCES.md names each one's origin), sent
 * in the order a real incident would see them, through real HTTP with real signatures, into real incidents. Variants
 * are the vendor's example with only the field that names the event changed, and say so.
 */
const CORPUS = path.join(__dirname, '..', 'fixtures', 'alerts', 'corpus');
const example = (file: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(CORPUS, file), 'utf8')) as Record<string, unknown>;

type Outcome = 'signalled' | 'reopened' | 'after_close' | 'no_incident';
interface Line {
  incidentId?: string;
  outcome: Outcome;
  reason?: string;
  reopenedFrom?: string;
}
const lines = (answer: ApiAnswer): Line[] => (answer.body.incidents as Line[] | undefined) ?? [];

describe('vendor example corpus: which events open, update, resolve or are ignored', function () {
  this.timeout(120_000);
  const secrets = { gh: hexSecret(), pd: hexSecret(), grafana: hexSecret() };
  const refs = secretEnv('corpus', secrets);
  const auth: Record<string, { kind: SourceKindName; auth: unknown }> = {
    'corpus-gh': { kind: 'github', auth: { secrets: [secrets.gh] } },
    'corpus-pd': { kind: 'pagerduty', auth: { secrets: [secrets.pd] } },
    'corpus-grafana': { kind: 'grafana', auth: { bearerTokens: [secrets.grafana] } },
  };
  let fb: FirebreakUnderTest;
  const tally: Record<string, number> = {};

  before(async () => {
    fb = await startIngress({
      sources: {
        'corpus-gh': { kind: 'github', auth: { secrets: [refs.gh] } },
        'corpus-pd': { kind: 'pagerduty', auth: { secrets: [refs.pd] } },
        'corpus-grafana': { kind: 'grafana', auth: { bearerTokens: [refs.grafana] } },
      },
      routing: { rules: [], defaultRunbook: 'generic-alert-notice' },
    });
  });
  after(async () => {
    console.log(`    corpus outcomes: ${JSON.stringify(tally)}`);
    await fb?.stop();
  });

  /** Sends one delivery as its vendor would; every delivery in the corpus is acknowledged with 202. */
  async function deliver(source: string, body: unknown, githubEvent?: string): Promise<ApiAnswer> {
    const answer = await send(fb, source, auth[source]!.kind, auth[source]!.auth, body, githubEvent ? { githubEvent } : {});
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const outcomes = answer.body.ignored ? ['ignored'] : lines(answer).map((l) => l.outcome);
    for (const o of outcomes) tally[o] = (tally[o] ?? 0) + 1;
    return answer;
  }

  async function closeByAbort(id: string): Promise<void> {
    const abort = await fb.api('POST', `/v1/incidents/${id}/abort`, { reason: 'corpus: the incident is closed' });
    assert.equal(abort.status, 200, JSON.stringify(abort.body));
    await eventually(async () => ((await fb.client.workflow.getHandle(id).describe()).status.name === 'COMPLETED' ? true : undefined), 30_000, `${id} closed`);
  }

  async function workflowRuns(id: string): Promise<number> {
    let runs = 0;
    for await (const _ of fb.client.workflow.list({ query: `WorkflowId = '${id}'` })) runs += 1;
    return runs;
  }

  it('GitHub code scanning: closed_by_user before anything opens nothing; created opens; reopened joins; fixed resolves; after close a closing event starts nothing and reopened opens a successor', async () => {
    const early = await deliver('corpus-gh', example('github/code_scanning_alert/closed-by-user.payload.json'), 'code_scanning_alert');
    assert.deepEqual(lines(early), [{ outcome: 'no_incident', reason: 'resolved' }]);

    const created = await deliver('corpus-gh', example('github/code_scanning_alert/created.payload.json'), 'code_scanning_alert');
    const [id] = incidentIds(created);
    assert.equal(lines(created)[0]!.outcome, 'signalled');
    for (const file of ['reopened.payload.json', 'reopened.with-organization.payload.json']) {
      assert.deepEqual(incidentIds(await deliver('corpus-gh', example(`github/code_scanning_alert/${file}`), 'code_scanning_alert')), [id], file);
    }
    assert.deepEqual(incidentIds(await deliver('corpus-gh', example('github/code_scanning_alert/fixed.payload.json'), 'code_scanning_alert')), [id]);
    const status = await eventually(async () => {
      const s = await incident(fb, id!);
      return s.alerts.count === 4 ? s : undefined;
    }, 20_000, 'four alerts on the incident');
    assert.deepEqual([status.alerts.status, status.phase], ['resolved', 'running']);

    await closeByAbort(id!);
    const late = await deliver('corpus-gh', example('github/code_scanning_alert/closed-by-user.payload.json'), 'code_scanning_alert');
    assert.deepEqual(lines(late), [{ outcome: 'after_close', incidentId: id, reason: 'resolved' }]);
    const lateFixed = await deliver('corpus-gh', example('github/code_scanning_alert/fixed.payload.json'), 'code_scanning_alert');
    assert.equal(lines(lateFixed)[0]!.outcome, 'after_close');
    assert.equal(await workflowRuns(id!), 1, 'the closed incident never ran again');

    // The same reopened event again is the episode the closed incident already saw firing (same updated_at): nothing opens.
    const again = await deliver('corpus-gh', example('github/code_scanning_alert/reopened.payload.json'), 'code_scanning_alert');
    assert.deepEqual(lines(again), [{ outcome: 'after_close', incidentId: id, reason: 'same_episode' }]);
    // Variant: the reopened example as GitHub sends it for a later reopening (the alert's updated_at is then).
    const later = example('github/code_scanning_alert/reopened.payload.json') as { alert: Record<string, unknown> };
    const reopened = await deliver('corpus-gh', { ...later, alert: { ...later.alert, updated_at: new Date().toISOString() } }, 'code_scanning_alert');
    assert.deepEqual(lines(reopened).map((l) => [l.outcome, l.incidentId, l.reopenedFrom]), [['reopened', `${id}r2`, id]]);
    const successor = await eventually(async () => incident(fb, `${id}r2`));
    assert.equal(successor.reopenedFrom, id);
    assert.ok(successor.timeline.some((t) => t.event === 'incident.reopened_from'));

    const audit = [];
    for await (const r of readAuditRecords(path.join(fb.dataDir, 'audit'), { incidentId: id })) audit.push(r.action);
    assert.ok(audit.includes('alert.after_close'), audit.join());
    assert.ok(audit.includes('incident.reopened_as'), audit.join());
  });

  it('GitHub Dependabot and secret scanning: fixed for an alert never seen opens nothing; created and reopened open; an assignment change is ignored', async () => {
    const fixed = await deliver('corpus-gh', example('github/dependabot_alert/fixed.payload.json'), 'dependabot_alert');
    assert.deepEqual(lines(fixed), [{ outcome: 'no_incident', reason: 'resolved' }]);
    const created = await deliver('corpus-gh', example('github/dependabot_alert/created.payload.json'), 'dependabot_alert');
    assert.equal(lines(created)[0]!.outcome, 'signalled');
    assert.equal((await eventually(async () => incident(fb, incidentIds(created)[0]!))).phase, 'running');
    // Variant: the Dependabot example with the action GitHub sends when someone changes its assignees.
    const assigned = await deliver('corpus-gh', { ...example('github/dependabot_alert/created.payload.json'), action: 'assignees_changed' }, 'dependabot_alert');
    assert.deepEqual([assigned.body.ignored, incidentIds(assigned)], [true, []]);
    // The secret scanning example carries no html_url; the repository and number still name the alert.
    const secret = await deliver('corpus-gh', example('github/secret_scanning_alert/reopened.payload.json'), 'secret_scanning_alert');
    assert.equal(lines(secret)[0]!.outcome, 'signalled');
  });

  it('PagerDuty: the published priority_updated and service.updated examples are ignored; resolved opens nothing; triggered opens, resolved resolves, and after close a resolve starts nothing', async () => {
    for (const file of ['incident.priority_updated.json', 'service.updated.json']) {
      const answer = await deliver('corpus-pd', example(`pagerduty/${file}`));
      assert.deepEqual([answer.body.ignored, incidentIds(answer)], [true, []], file);
    }
    // Variants: the priority_updated example as the other incident events PagerDuty documents, with a fresh event id.
    const base = example('pagerduty/incident.priority_updated.json') as { event: Record<string, unknown> };
    // Each event of its own, as PagerDuty sends them: a fresh event id and the time it occurred.
    const incidentEvents = (id: string, eventType: string) => ({
      event: { ...base.event, id: randomUUID(), event_type: eventType, occurred_at: new Date().toISOString(), data: { ...(base.event.data as object), id } },
    });
    const pdId = `P${randomUUID().slice(0, 6).toUpperCase()}`;
    assert.deepEqual(lines(await deliver('corpus-pd', incidentEvents(pdId, 'incident.resolved'))), [{ outcome: 'no_incident', reason: 'resolved' }]);
    const triggered = await deliver('corpus-pd', incidentEvents(pdId, 'incident.triggered'));
    const [id] = incidentIds(triggered);
    assert.ok(id);
    for (const ignored of ['incident.acknowledged', 'incident.escalated', 'incident.annotated']) {
      assert.equal((await deliver('corpus-pd', incidentEvents(pdId, ignored))).body.ignored, true, ignored);
    }
    assert.deepEqual(incidentIds(await deliver('corpus-pd', incidentEvents(pdId, 'incident.resolved'))), [id]);
    await eventually(async () => ((await incident(fb, id!)).alerts.status === 'resolved' ? true : undefined), 20_000, 'resolved recorded');
    await closeByAbort(id!);
    assert.deepEqual(lines(await deliver('corpus-pd', incidentEvents(pdId, 'incident.resolved'))), [{ outcome: 'after_close', incidentId: id, reason: 'resolved' }]);
    const reopened = await deliver('corpus-pd', incidentEvents(pdId, 'incident.reopened'));
    assert.deepEqual(lines(reopened).map((l) => [l.outcome, l.reopenedFrom]), [['reopened', id]]);
  });

  it('Grafana: the published two-alert notification opens one incident per alert; a resolved notification of one resolves only that one', async () => {
    const body = example('grafana/two-firing.json') as { alerts: Record<string, unknown>[] } & Record<string, unknown>;
    // Fingerprints made unique per run: the shared dev server keeps earlier runs' incidents.
    const run = randomUUID().slice(0, 8);
    const firing = { ...body, alerts: body.alerts.map((a) => ({ ...a, fingerprint: `${a.fingerprint as string}-${run}` })) };
    const opened = await deliver('corpus-grafana', firing);
    const ids = incidentIds(opened);
    assert.equal(new Set(ids).size, 2);
    // Variant: Grafana's resolved notification for the first alert (status and endsAt as Grafana sets them).
    const resolved = { ...firing, status: 'resolved', alerts: [{ ...firing.alerts[0], status: 'resolved', endsAt: new Date().toISOString() }] };
    assert.deepEqual(incidentIds(await deliver('corpus-grafana', resolved)), [ids[0]]);
    await eventually(async () => ((await incident(fb, ids[0]!)).alerts.status === 'resolved' ? true : undefined), 20_000, 'first resolved');
    assert.equal((await incident(fb, ids[1]!)).alerts.status, 'firing');
  });
});
