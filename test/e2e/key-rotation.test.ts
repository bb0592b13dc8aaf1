import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { rotateKeyringFile } from '../../cli/commands/keys';
import type { IncidentStatus } from '../../workflows/incident/state';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';
import { tempDir } from '../helpers/temporal';

type Payload = temporal.api.common.v1.IPayload;

/** Every payload's `encryption-key-id` in an incident's raw (still encrypted) history, in event order. */
async function keyIdsInHistory(fb: FirebreakUnderTest, incidentId: string): Promise<string[]> {
  const history = await fb.client.workflowService.getWorkflowExecutionHistory({ namespace: fb.config.temporal.namespace, execution: { workflowId: incidentId } });
  const ids: string[] = [];
  const visit = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    const payload = value as Payload;
    if (payload.metadata && payload.data !== undefined && payload.metadata['encryption-key-id']) ids.push(Buffer.from(payload.metadata['encryption-key-id']).toString());
    for (const child of Object.values(value)) visit(child);
  };
  visit(history.history?.events ?? []);
  return ids;
}

const waitingFor = (fb: FirebreakUnderTest, id: string) =>
  eventually(async () => {
    const s = await fb.api<IncidentStatus>('GET', `/v1/incidents/${id}`);
    return s.body.steps?.some((step) => step.id === 'approve-notice' && step.state === 'waiting') ? s.body : undefined;
  });

describe('payload key rotation and the codec endpoint', function () {
  this.timeout(180_000);
  const dataDir = tempDir('rotation');
  const taskQueue = `test-${randomUUID()}`;
  const people = [
    { id: 'alice', roles: ['legal'] },
    { id: 'ivan', roles: ['incident-commander'] },
  ];
  let fb: FirebreakUnderTest | undefined;
  after(async () => fb?.stop());

  it('keeps an incident begun under key A readable after rotating to key B and restarting, and encrypts new ones with B', async () => {
    fb = await FirebreakUnderTest.start({ dataDir, taskQueue, people });
    const keyA = fb.secrets.keyring.currentId;
    const sent = await fb.sendAlert({ title: 'Started under key A', severity: 'high' });
    const oldId = (sent.body.incidents as { incidentId: string }[])[0]!.incidentId;
    await waitingFor(fb, oldId);
    await fb.stop();

    const rotated = await rotateKeyringFile(path.join(dataDir, 'secrets', 'payload-keys.json'));
    assert.equal(rotated.previous, keyA);
    assert.equal(rotated.keys, 2);

    fb = await FirebreakUnderTest.start({ dataDir, taskQueue, people });
    const keyB = fb.secrets.keyring.currentId;
    assert.equal(keyB, rotated.newKeyId);
    const old = await waitingFor(fb, oldId);
    assert.equal(old.title, 'Started under key A');
    const draftSha256 = (old.approvals[0] as { draftSha256?: string }).draftSha256;
    const approved = await fb.api('POST', `/v1/incidents/${oldId}/steps/approve-notice/approve`, { reason: 'after rotation', draftSha256 }, 'token-alice');
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(((await fb.client.workflow.getHandle(oldId).result()) as IncidentStatus).phase, 'completed');
    const oldIds = await keyIdsInHistory(fb, oldId);
    assert.equal(oldIds[0], keyA, 'the start input stays under key A');
    assert.ok(oldIds.includes(keyB), 'events after the restart use key B');

    const fresh = await fb.sendAlert({ title: 'Started under key B', severity: 'high' });
    const newId = (fresh.body.incidents as { incidentId: string }[])[0]!.incidentId;
    await waitingFor(fb, newId);
    const newIds = await keyIdsInHistory(fb, newId);
    assert.ok(newIds.length > 0);
    assert.deepEqual([...new Set(newIds)], [keyB]);
  });

  it('decodes payloads for a codec role on the loopback UI origin only, and refuses everyone else', async () => {
    const live = fb!;
    const history = await live.client.workflowService.getWorkflowExecutionHistory({ namespace: live.config.temporal.namespace, execution: { workflowId: (await live.api<{ incidents: { id: string }[] }>('GET', '/v1/incidents')).body.incidents[0]!.id } });
    const input = history.history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const wire = { payloads: [{ metadata: Object.fromEntries(Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(input.data!).toString('base64') }] };
    const uiOrigin = `http://localhost:${live.config.temporal.uiPort}`;
    const call = (token: string | null, origin = uiOrigin) =>
      fetch(`${live.baseUrl}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', origin, 'x-namespace': 'default', ...(token && { authorization: `Bearer ${token}` }) }, body: JSON.stringify(wire) });

    const unauthenticated = await call(null);
    assert.equal(unauthenticated.status, 401);
    const wrongRole = await call('token-alice');
    assert.equal(wrongRole.status, 403);
    assert.equal(((await wrongRole.json()) as { error: string }).error, 'auth.role_required');
    const ok = await call('token-ivan');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), uiOrigin);
    const decoded = (await ok.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.equal(Buffer.from(decoded.payloads[0]!.metadata.encoding!, 'base64').toString(), 'json/plain');
    assert.equal(JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString()).incidentId !== undefined, true);

    const elsewhere = await call('token-ivan', 'https://evil.example');
    assert.equal(elsewhere.headers.get('access-control-allow-origin'), null);
    const preflight = await fetch(`${live.baseUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin: uiOrigin, 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), uiOrigin);
  });
});
