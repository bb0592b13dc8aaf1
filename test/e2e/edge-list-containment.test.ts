import assert from 'node:assert/strict';
import path from 'node:path';
import { FirebreakUnderTest, type Person, stepState } from '../helpers/firebreak';
import { loadApiDescription, startValidatingServer, type ValidatingServer } from '../helpers/openapi-validating-server';
import { tempDir } from '../helpers/temporal';
import { type FakeHost, sentineloneFake } from '../activities/containment/edr-fakes';
import { type CloudflareListFake, listsFake } from '../activities/containment/cloudflare-lists-fake';

/*
 * The shipped ransomware-host on the other vendors config can name: the host disconnected at SentinelOne, the C2
 * address added to a Cloudflare custom IP list (the list config names exists, with a partner's address in it). The
 * incident is aborted, and both vendors read back exactly as before the alert. Every request is validated against
 * the vendor's published API description.
 */

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', 'vendor-apis', name);
const ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353';
const PEOPLE: Person[] = [{ id: 'carol', roles: ['security-oncall'] }];

describe('ransomware-host on SentinelOne and a Cloudflare custom list, and an abort restores both', function () {
  this.timeout(180_000);
  let fb: FirebreakUnderTest;
  let sentinelone: ValidatingServer;
  let cloudflare: ValidatingServer;
  let hosts: FakeHost[];
  let lists: CloudflareListFake[];

  before(async () => {
    sentinelone = await startValidatingServer(loadApiDescription(fixture('sentinelone/agents.openapi.json')));
    hosts = [{ id: '225494730938493804', hostname: 'wks-042', isolated: false }];
    sentineloneFake(sentinelone, hosts);
    cloudflare = await startValidatingServer(loadApiDescription(fixture('cloudflare/lists.openapi.json')));
    lists = listsFake(cloudflare);
    lists.push({ id: '2c0fc9fa937b11eaa1b71c4d701ab86e', name: 'firebreak_blocked', kind: 'ip', items: [{ id: 'a'.repeat(32), ip: '198.51.100.70', comment: 'partner office' }] });

    process.env.FB_TEST_S1_TOKEN = 's1-service-user-token';
    process.env.FB_TEST_CF_TOKEN = 'cf-api-token-value';
    fb = await FirebreakUnderTest.start({
      dataDir: tempDir('edge-list-containment'),
      people: PEOPLE,
      config: {
        containment: { host: 'sentinelone', network: 'cloudflare' },
        // What ransomware-host requires besides containment; its steps that use them are not reached here.
        endpoints: { edr: { url: sentinelone.url, secrets: { 'edr-api-token': 'env:FB_TEST_S1_TOKEN' } } },
        contacts: Object.fromEntries(['security', 'it-helpdesk', 'nydfs-filer', 'sec-counsel', 'dpo', 'lead-sa', 'customer-comms', 'privacy-office', 'press-office'].map((c) => [c, `${c}@example.com`])),
        vendors: {
          sentinelone: { url: sentinelone.url, apiToken: 'env:FB_TEST_S1_TOKEN' },
          cloudflare: { baseUrl: cloudflare.url, apiToken: 'env:FB_TEST_CF_TOKEN', accountId: ACCOUNT, list: { name: 'firebreak_blocked' } },
        },
      },
    });
  });
  after(async () => {
    await fb?.stop();
    for (const server of [sentinelone, cloudflare]) await server?.stop();
    delete process.env.FB_TEST_S1_TOKEN;
    delete process.env.FB_TEST_CF_TOKEN;
  });
  afterEach(() => {
    for (const server of [sentinelone, cloudflare]) server.assertNoRefusals();
  });

  it('disconnects the host and lists the C2 address; the abort reconnects it and deletes exactly that list item', async () => {
    const before = { hosts: structuredClone(hosts), lists: structuredClone(lists) };
    const sent = await fb.sendAlert({ title: 'Ransom note on wks-042', severity: 'critical', fingerprint: `ransom-list-${Date.now()}`, labels: { category: 'ransomware', host: 'wks-042', c2_ip: '198.51.100.7' } });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const id = (sent.body.incidents as { incidentId: string }[])[0]!.incidentId;
    const running = await fb.until(id, 'contained and asking about spread', (s) => stepState(s, 'spread') === 'waiting');
    assert.deepEqual(['isolate-host', 'block-c2'].map((step) => stepState(running, step)), ['done', 'done']);
    assert.equal(hosts[0]!.isolated, true, 'SentinelOne shows the agent disconnected');
    assert.deepEqual(lists[0]!.items.map((i) => i.ip), ['198.51.100.70', '198.51.100.7']);
    assert.match(lists[0]!.items[1]!.comment!, new RegExp(`Firebreak ${id.replace(/[/]/g, '\\/')}`), 'the item names the incident');
    assert.ok(running.timeline.some((t) => t.event === 'step.expiry_armed' && t.stepId === 'block-c2'), 'the 30-day block has its lift armed');

    const aborted = await fb.api('POST', `/v1/incidents/${id}/abort`, { reason: 'drill over' }, 'token-carol');
    assert.equal(aborted.status, 200, JSON.stringify(aborted.body));
    const done = await fb.until(id, 'aborted and undone', (s) => s.phase === 'aborted' && s.timeline.some((t) => t.event === 'incident.aborted'));
    assert.deepEqual(['isolate-host', 'block-c2'].map((step) => stepState(done, step)), ['compensated', 'compensated']);
    assert.deepEqual({ hosts, lists }, before, 'SentinelOne and the Cloudflare list read back exactly as before the alert');
    assert.equal(cloudflare.requests.filter((r) => r.operationId === 'lists-delete-list-items').length, 1);
  });
});
