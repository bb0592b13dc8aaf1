import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readAuditRecords } from '../../audit';
import { eventually, FirebreakUnderTest } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

/*
 * Each role against each read route, on a real Firebreak: the runbook names `legal` (approve-disclosure) and
 * `forensics` (handle-evidence). Expected answers are the README's read-access table.
 */

const PEOPLE = [
  { id: 'cmd', roles: ['incident-commander'] },
  { id: 'aud', roles: ['auditor'] },
  { id: 'lee', roles: ['legal'] },
  { id: 'fio', roles: ['forensics'] },
  { id: 'pat', roles: ['support'] }, // declares the incident: a participant with no role in the runbook
  { id: 'nora', roles: ['support'] }, // no role, took no part
];

type Who = 'cmd' | 'aud' | 'lee' | 'fio' | 'pat' | 'nora';
// Route -> who gets 2xx; every other person gets 403 with an access.* code.
const EXPECTED: Record<string, Who[]> = {
  'GET incident': ['cmd', 'aud', 'lee', 'fio', 'pat'],
  'GET incident report': ['cmd', 'aud', 'lee', 'fio', 'pat'],
  'GET incident evidence (metadata)': ['cmd', 'aud', 'lee', 'fio', 'pat'],
  'GET evidence item (metadata)': ['cmd', 'aud', 'lee', 'fio', 'pat'],
  'GET evidence content': ['fio'],
  'POST evidence hand-over': ['fio'],
  'GET audit witness': ['cmd', 'aud'],
};

describe('read access by role: each role against each route', function () {
  this.timeout(180_000);
  let fb: FirebreakUnderTest;
  let incidentId: string;
  let evidenceId: string;

  before(async () => {
    const runbooks = tempDir('read-access-runbooks');
    mkdirSync(runbooks, { recursive: true });
    const library = path.resolve(__dirname, '../../runbooks/library');
    for (const file of readdirSync(library)) copyFileSync(path.join(library, file), path.join(runbooks, file));
    const generic = readFileSync(path.join(library, 'generic-alert-notice.yaml'), 'utf8');
    writeFileSync(
      path.join(runbooks, 'generic-alert-notice.yaml'),
      generic.replace('  approve-disclosure: [legal, incident-commander]\n', '  approve-disclosure: [legal, incident-commander]\n  handle-evidence: [forensics]\n'),
    );
    fb = await FirebreakUnderTest.start({ people: PEOPLE, env: { FIREBREAK_RUNBOOKS_DIR: runbooks } });
    const declared = await fb.api('POST', '/v1/incidents', { title: 'read access drill', runbook: 'generic-alert-notice', severity: 'high' }, 'token-pat');
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    incidentId = declared.body.incidentId as string;
    await eventually(async () => ((await fb.api('GET', `/v1/incidents/${incidentId}`)).status === 200 ? true : undefined), 30_000, 'incident answers');
    const up = await fetch(`${fb.baseUrl}/v1/incidents/${incidentId}/evidence?name=customers.csv`, { method: 'POST', headers: { authorization: 'Bearer token-fio', 'content-type': 'text/csv' }, body: 'id,email\n1,a@example.com\n' });
    assert.equal(up.status, 201, await up.clone().text());
    evidenceId = ((await up.json()) as { evidenceId: string }).evidenceId;
  });
  after(async () => fb?.stop());

  async function call(route: string, who: Who): Promise<{ status: number; body: Record<string, unknown> }> {
    const token = `token-${who}`;
    const get = (url: string) => fb.api('GET', url, undefined, token);
    switch (route) {
      case 'GET incident':
        return get(`/v1/incidents/${incidentId}`);
      case 'GET incident report':
        return get(`/v1/incidents/${incidentId}/report?format=json`);
      case 'GET incident evidence (metadata)':
        return get(`/v1/incidents/${incidentId}/evidence`);
      case 'GET evidence item (metadata)':
        return get(`/v1/evidence/${evidenceId}`);
      case 'GET evidence content': {
        const response = await fetch(`${fb.baseUrl}/v1/evidence/${evidenceId}/content?purpose=review`, { headers: { authorization: `Bearer ${token}` } });
        const text = await response.text();
        return { status: response.status, body: response.status === 200 ? { text } : (JSON.parse(text) as Record<string, unknown>) };
      }
      case 'POST evidence hand-over':
        return fb.api('POST', `/v1/evidence/${evidenceId}/hand-over`, { to: 'Forensics Ltd', reason: 'analysis' }, token);
      case 'GET audit witness':
        return get('/v1/audit/witness');
      default:
        throw new Error(route);
    }
  }

  for (const [route, allowed] of Object.entries(EXPECTED)) {
    it(`${route}: ${allowed.join(', ')} and nobody else`, async () => {
      for (const who of PEOPLE.map((p) => p.id as Who)) {
        const answer = await call(route, who);
        if (allowed.includes(who)) assert.ok(answer.status >= 200 && answer.status < 300, `${who}: ${answer.status} ${JSON.stringify(answer.body)}`);
        else {
          assert.equal(answer.status, 403, `${who}: ${answer.status} ${JSON.stringify(answer.body)}`);
          assert.match(String(answer.body.error), /^access\./, who);
        }
      }
    });
  }

  it('lists an incident only to those who may see it', async () => {
    for (const who of PEOPLE.map((p) => p.id as Who)) {
      const listed = await fb.api<{ incidents: { id: string }[] }>('GET', '/v1/incidents?limit=200', undefined, `token-${who}`);
      assert.equal(listed.status, 200);
      assert.equal(listed.body.incidents.some((i) => i.id === incidentId), EXPECTED['GET incident']!.includes(who), who);
    }
  });

  it('metadata and hashes reach every viewer while the bytes do not', async () => {
    const item = await call('GET evidence item (metadata)', 'pat');
    assert.match(String(item.body.sha256), /^[0-9a-f]{64}$/);
    assert.equal((await call('GET evidence content', 'pat')).body.error, 'access.not_evidence_handler');
  });

  it('records every refused read in the audit log with its reason and the person', async () => {
    await call('GET incident', 'nora');
    const refused = await eventually(async () => {
      const records: { actor: { id: string }; action: string; subject?: string; incidentId?: string; data: Record<string, unknown> }[] = [];
      for await (const r of readAuditRecords(path.join(fb.dataDir, 'audit'))) records.push(r as never);
      const mine = records.filter((r) => r.action === 'access.refused' && r.actor.id === 'nora' && r.subject === 'incident.status');
      return mine.length > 0 ? mine : undefined;
    });
    assert.equal(refused[0]!.incidentId, incidentId);
    assert.equal(refused[0]!.data.code, 'access.not_a_viewer');
    assert.ok(String(refused[0]!.data.reason).length > 0);
  });
});
