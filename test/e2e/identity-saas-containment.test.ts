import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FirebreakUnderTest, stepState } from '../helpers/firebreak';
import { historyText } from '../helpers/history-text';
import { FAKE_IDENTITY, type FakeIdentityVendor, IDENTITY_FIXTURES, fakeEntra, fakeGoogle, fakeOkta } from '../helpers/identity-vendor-fakes';
import { type ValidatingServer, loadApiDescription, startValidatingServer } from '../helpers/openapi-validating-server';
import { RecordingServer } from '../helpers/recording-server';
import { tempDir } from '../helpers/temporal';

/*
 * The shipped compromised-account runbook end to end on Okta, Microsoft Entra ID and Google Workspace, the three
 * identity providers that cannot run here: config alone names the vendor (the runbook is the same file), the adapter
 * talks to a local server that validates every request against the vendor's published description and keeps the
 * user's state, a signed alert suspends the user (after the step's retry honoured the vendor's 429 Retry-After), a
 * person aborts the incident, and compensation re-enables it. The
 * sessions the runbook ended stay ended (they cannot be given back); the account's state reads back as before. The
 * credentials and access tokens never appear in the incident's workflow history, decrypted.
 */

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

interface VendorRun {
  vendor: keyof typeof IDENTITY_FIXTURES;
  fake(server: ValidatingServer, tokens: { issued: number }): FakeIdentityVendor;
  /** `vendors.<vendor>` in the config file; secrets by reference to files in `dir`. */
  settings(server: ValidatingServer, dir: string): Record<string, unknown>;
  /** The credential and the access token the fake's token endpoint issues first: neither may reach the history. */
  secrets: string[];
}

// A stretch from the middle of the private key's base64 body: the key as a whole never travels in one piece.
const PEM_PART = privatePem.split('\n')[5]!;

const secretFile = (dir: string, name: string, content: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, content, { mode: 0o600 });
  return `file:${file}`;
};

const runs: VendorRun[] = [
  {
    vendor: 'okta',
    fake: (server, tokens) => fakeOkta(server, tokens, publicKey),
    settings: (server, dir) => ({ orgUrl: server.url, clientId: FAKE_IDENTITY.okta.clientId, privateKey: secretFile(dir, 'okta-key.pem', privatePem) }),
    secrets: [PEM_PART, 'okta-at-1'],
  },
  {
    vendor: 'entra',
    fake: (server, tokens) => fakeEntra(server, tokens, 'entra-e2e-client-secret'),
    settings: (server, dir) => ({
      tenantId: FAKE_IDENTITY.entra.tenant,
      clientId: FAKE_IDENTITY.entra.clientId,
      clientSecret: secretFile(dir, 'entra-secret', 'entra-e2e-client-secret'),
      graphUrl: `${server.url}/v1.0`,
      authorityUrl: server.url,
    }),
    secrets: ['entra-e2e-client-secret', 'graph-at-1'],
  },
  {
    vendor: 'google',
    fake: (server, tokens) => fakeGoogle(server, tokens, publicKey),
    settings: (server, dir) => ({
      serviceAccountKey: secretFile(dir, 'gws-sa.json', JSON.stringify({ client_email: FAKE_IDENTITY.google.clientEmail, private_key: privatePem })),
      adminEmail: FAKE_IDENTITY.google.adminEmail,
      apiUrl: server.url,
      tokenUrl: `${server.url}/token`,
    }),
    secrets: [PEM_PART, 'ya29.test-1'],
  },
];

for (const run of runs) {
  describe(`compromised-account contains on ${run.vendor} end to end, and the abort re-enables the user`, function () {
    this.timeout(180_000);
    let fb: FirebreakUnderTest;
    let server: ValidatingServer;
    let logs: RecordingServer;
    let vendor: FakeIdentityVendor;
    const tokens = { issued: 0 };
    const runId = Date.now().toString(36);

    before(async () => {
      server = await startValidatingServer(loadApiDescription(IDENTITY_FIXTURES[run.vendor]), { validateResponses: true });
      vendor = run.fake(server, tokens);
      // The runbook's sign-in log pull stays generic HTTP; a local server answers it.
      logs = await RecordingServer.start();
      logs.respond = () => ({ status: 200, body: { events: [] } });
      process.env.FB_TEST_LOGS_TOKEN = `logs-${runId}`;
      const dataDir = tempDir(`identity-e2e-${run.vendor}`);
      fb = await FirebreakUnderTest.start({
        dataDir,
        people: [{ id: 'carol', roles: ['security-oncall', 'incident-commander'] }],
        config: {
          endpoints: {
            'identity-provider': { url: logs.url, secrets: { 'identity-provider-token': 'env:FB_TEST_LOGS_TOKEN' } },
            // Set because the runbook requires it (requires.config); this alert carries no address to block.
            firewall: { url: logs.url },
          },
          containment: { identity: run.vendor, network: 'firewall' },
          contacts: Object.fromEntries(['security', 'it-helpdesk', 'nydfs-filer', 'sec-counsel', 'dpo', 'lead-sa', 'customer-comms', 'privacy-office', 'press-office'].map((c) => [c, `${c}@example.com`])),
          vendors: { [run.vendor]: run.settings(server, dataDir) },
        },
      });
    });
    after(async () => {
      await fb?.stop();
      await Promise.all([server?.stop(), logs?.stop()]);
      server?.assertNoRefusals();
    });

    it('suspends the user and ends its sessions; aborting re-enables it as it was', async () => {
      const user = `mallory-${run.vendor}-${runId}@example.com`;
      vendor.add(user, false);
      // The vendor rate-limits the first read: the step's next attempt waits the 4 s it asked for (the step policy alone would wait 1 s), through Temporal.
      vendor.throttleReads(1, 4);
      const started = Date.now();
      const sent = await fb.sendAlert({ title: `Impossible travel for ${user}`, severity: 'high', labels: { category: 'impossible-travel', user } });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const id = (sent.body.incidents as { incidentId: string }[])[0]!.incidentId;
      await fb.until(id, 'account disabled and sessions revoked', (s) => stepState(s, 'disable-account') === 'done' && stepState(s, 'revoke-sessions') === 'done');
      const containedMs = Date.now() - started;
      assert.ok(containedMs >= 4000, `contained after ${containedMs} ms: the retry waited for Retry-After`);
      assert.ok(server.requests.filter((r) => r.operationId === vendor.getOperation).length >= 3, 'the throttled read, its retry, and the read after suspending');
      assert.equal(vendor.disabled(user), true, `${run.vendor} holds the user suspended`);
      assert.ok(vendor.sessionsRevoked(user) >= 1);
      await fb.until(id, 'waiting on the user', (s) => stepState(s, 'user-confirms') === 'waiting');

      const aborting = Date.now();
      const aborted = await fb.api('POST', `/v1/incidents/${id}/abort`, { reason: 'drill: false positive' }, 'token-carol');
      assert.equal(aborted.status, 200, JSON.stringify(aborted.body));
      const done = await fb.until(id, 'undone', (s) => s.phase === 'aborted' && stepState(s, 'disable-account') === 'compensated');
      const undoneMs = Date.now() - aborting;
      assert.equal(vendor.disabled(user), false, `${run.vendor} holds the user enabled again, as before the alert`);
      assert.ok(done.timeline.some((t) => t.event === 'step.compensated' && t.stepId === 'disable-account'));
      assert.equal(tokens.issued, 1, 'one access token for every call of the incident');
      assert.ok(server.requests.length > 0);
      const history = await historyText(await fb.client.workflow.getHandle(id).fetchHistory(), fb.secrets.keyring);
      assert.ok(history.includes(user), 'the decrypted history is readable');
      for (const secret of run.secrets) assert.equal(history.includes(secret), false, `${secret.slice(0, 6)}... is not in the workflow history`);
      console.log(`    figures: ${run.vendor} alert→contained ${containedMs} ms, abort→undone ${undoneMs} ms, ${server.requests.length} validated requests`);
    });
  });
}
