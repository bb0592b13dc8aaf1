import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { type CloudflareList, type ListAddressItems, cloudflareListBlock } from '../../../activities/containment/cloudflare/list-items';
import { type ContainmentOutcome, forwardActivity, undoActivity } from '../../../activities/containment/vendor-kit/action';
import { createVendorHttp } from '../../../activities/containment/vendor-kit/vendor-http';
import { EvidenceStore } from '../../../evidence';
import type { ActionRequest } from '../../../workflows/runbook-interpreter/steps/action';
import { loadApiDescription, startValidatingServer, type ValidatingServer } from '../../helpers/openapi-validating-server';
import { type CloudflareListFake, type CloudflareListItem, listsFake } from './cloudflare-lists-fake';

const fixture = path.join(__dirname, '..', '..', 'fixtures', 'vendor-apis', 'cloudflare', 'lists.openapi.json');
const INCIDENT = 'incident/generic/7d1e99';
const ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353';
const LIST_ID = '2c0fc9fa937b11eaa1b71c4d701ab86e';

const request = (ip: string, suffix = ''): ActionRequest => ({ key: `${INCIDENT}/block-top-source${suffix}`, incidentId: INCIDENT, stepId: 'block-top-source', input: { ip, reason: `DDoS on shop (${INCIDENT})`, ttl: '6h' } });
const run = <T>(fn: (r: ActionRequest) => Promise<T>, r: ActionRequest) => new MockActivityEnvironment().run(fn, r) as Promise<T>;

describe('Cloudflare custom IP list items (WAF custom lists)', () => {
  let server: ValidatingServer;
  let lists: CloudflareListFake[];
  let dir: string;
  let store: EvidenceStore;
  beforeEach(async () => {
    server = await startValidatingServer(loadApiDescription(fixture));
    lists = listsFake(server);
    dir = mkdtempSync(path.join(tmpdir(), 'cf-lists-evidence-'));
    store = await EvidenceStore.open(dir);
  });
  afterEach(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    server.assertNoRefusals();
  });
  const deps = () => ({ store: async () => store });
  const block = (list: CloudflareList) => cloudflareListBlock(createVendorHttp({ vendor: 'cloudflare', baseUrl: server.url, authorization: async () => 'Bearer cf-api-token' }), ACCOUNT, list, 5);
  const seedList = (items: CloudflareListItem[] = []) => lists.push({ id: LIST_ID, name: 'firebreak_blocked', kind: 'ip', items });

  it('adds the address to the configured list, waits for the bulk operation, and the undo deletes exactly that item', async () => {
    seedList([{ id: 'a'.repeat(32), ip: '203.0.113.70', comment: 'partner office' }]);
    const forward = await run<ContainmentOutcome<ListAddressItems>>(forwardActivity(block({ id: LIST_ID }), deps()), request('203.0.113.7'));
    assert.deepEqual(lists[0]!.items.map((i) => i.ip), ['203.0.113.70', '203.0.113.7']);
    assert.match(lists[0]!.items[1]!.comment!, /^firebreak: DDoS on shop/);
    assert.deepEqual(forward.before.state.items, [], "203.0.113.70 starts with the address but is not it");
    assert.equal(forward.after.state.items.length, 1, 'the after state shows the item, so the operation had completed');
    assert.ok(server.requests.some((r) => r.operationId === 'lists-get-bulk-operation-status'));
    // A retry finds the item and adds nothing.
    await run(forwardActivity(block({ id: LIST_ID }), deps()), request('203.0.113.7'));
    assert.equal(server.requests.filter((r) => r.operationId === 'lists-create-list-items').length, 1);

    const undone = await run<ContainmentOutcome<ListAddressItems>>(undoActivity(block({ id: LIST_ID }), 'network.unblock-ip', deps()), request('203.0.113.7', '/undo'));
    assert.deepEqual(lists[0]!.items.map((i) => i.ip), ['203.0.113.70'], "the partner's item stays");
    assert.equal(undone.restoredToRecorded, true);
    const deleted = server.requests.filter((r) => r.operationId === 'lists-delete-list-items');
    assert.deepEqual(deleted.map((r) => r.body), [{ items: [{ id: forward.after.state.items[0]!.id }] }]);
    // The same undo again (a lift that ran, then an abort's compensation under the same key) deletes nothing more.
    await run(undoActivity(block({ id: LIST_ID }), 'network.unblock-ip', deps()), request('203.0.113.7', '/undo'));
    assert.equal(server.requests.filter((r) => r.operationId === 'lists-delete-list-items').length, 1);
    assert.deepEqual(lists[0]!.items.map((i) => i.ip), ['203.0.113.70']);
  });

  it('leaves an address that was already in the list as it was, after the undo too', async () => {
    seedList([{ id: 'e'.repeat(32), ip: '192.0.2.10', comment: 'firebreak: an earlier incident' }]);
    await run(forwardActivity(block({ id: LIST_ID }), deps()), request('192.0.2.10'));
    await run(undoActivity(block({ id: LIST_ID }), 'network.unblock-ip', deps()), request('192.0.2.10', '/undo'));
    assert.deepEqual(lists[0]!.items.map((i) => i.id), ['e'.repeat(32)]);
    assert.ok(!server.requests.some((r) => r.method === 'POST' || r.method === 'DELETE'));
  });

  it('creates the list named in config on first use (kind ip), and keeps it after the undo', async () => {
    await run(forwardActivity(block({ name: 'firebreak_blocked' }), deps()), request('198.51.100.0/24'));
    assert.deepEqual(lists.map((l) => [l.name, l.kind, l.items.map((i) => i.ip)]), [['firebreak_blocked', 'ip', ['198.51.100.0/24']]]);
    await run(forwardActivity(block({ name: 'firebreak_blocked' }), deps()), { ...request('198.51.100.9'), key: `${INCIDENT}/second` });
    assert.equal(server.requests.filter((r) => r.operationId === 'lists-create-a-list').length, 1, 'the second block finds the list');
    await run(undoActivity(block({ name: 'firebreak_blocked' }), 'network.unblock-ip', deps()), request('198.51.100.0/24', '/undo'));
    assert.deepEqual(lists.map((l) => [l.name, l.items.map((i) => i.ip)]), [['firebreak_blocked', ['198.51.100.9']]]);
  });

  it('blocks an IPv6 address as its /64 (the list takes IPv6 ranges up to /64) and refuses a longer prefix', async () => {
    seedList();
    const forward = await run<ContainmentOutcome<ListAddressItems>>(forwardActivity(block({ id: LIST_ID }), deps()), request('2001:db8::cf'));
    assert.deepEqual(lists[0]!.items.map((i) => i.ip), ['2001:db8::/64']);
    assert.equal(forward.after.state.value, '2001:db8::/64', 'the evidence names what was blocked');
    await assert.rejects(run(forwardActivity(block({ id: LIST_ID }), deps()), { ...request('2001:db8::/96'), key: `${INCIDENT}/other` }), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'action.invalid_input');
      assert.match(error.message, /\/64 or wider/);
      return true;
    });
  });

  it('fails the step with Cloudflare’s reason when the bulk operation fails', async () => {
    seedList();
    server.handle('lists-get-bulk-operation-status', (req) => ({ status: 200, body: { success: true, errors: [], messages: [], result: { id: req.params.operation_id, status: 'failed', error: 'This list is at the maximum number of items' } } }));
    await assert.rejects(run(forwardActivity(block({ id: LIST_ID }), deps()), request('203.0.113.8')), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'containment.vendor_refused');
      assert.match(error.message, /maximum number of items/);
      return true;
    });
  });

  it('plans the requests without sending any', () => {
    const planned = block({ name: 'firebreak_blocked' }).plan({ ip: '203.0.113.7', reason: 'drill' });
    assert.deepEqual(planned.map((p) => (p.request as { method: string }).method), ['GET', 'POST', 'GET', 'POST', 'GET']);
    assert.match(JSON.stringify(planned), /rules\/lists/);
    assert.equal(server.requests.length, 0);
  });
});
