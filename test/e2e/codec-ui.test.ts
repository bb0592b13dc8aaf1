import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { AesGcmPayloadCodec } from '../../codec/aes-gcm-codec';
import { parseKeyring } from '../../codec/keyring';
import { TokenDirectory } from '../../ingress/api/token-directory';
import { codecRouteDeps, embeddedUiCodecEndpoint } from '../../worker/codec-wiring';
import { type Config, loadConfig } from '../../worker/config';
import { type DevServer, startDevServer } from '../../worker/dev-server';
import { resolveSecrets } from '../../worker/secrets';
import { createService } from '../../worker/service';
import { temporalCliPath } from '../../worker/temporal-binaries';
import { connectClient, temporalTarget } from '../../worker/temporal-connection';
import { FirebreakUnderTest } from '../helpers/firebreak';
import { freePort } from '../helpers/net';
import { tapTestLog, tempDir, testLog } from '../helpers/temporal';

const run = promisify(execFile);
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

type Wire = { payloads: { metadata: Record<string, string>; data: string }[] };

/** The start input of a workflow as Temporal stores it (encrypted), in the UI's codec wire shape. */
async function storedInput(client: Client, namespace: string, workflowId: string): Promise<Wire> {
  const history = await client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId } });
  const input = history.history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
  return { payloads: [{ metadata: Object.fromEntries(Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(input.data!).toString('base64') }] };
}

/** What a browser on `origin` sends for the UI's `fetch(endpoint + '/decode')`: the CORS preflight, then the POST. */
async function browserDecode(endpoint: string, origin: string, body: Wire, token?: string): Promise<{ preflight: Response; post: Response }> {
  const headers = token ? 'authorization,content-type,x-namespace' : 'content-type,x-namespace';
  const preflight = await fetch(`${endpoint}/decode`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers } });
  const post = await fetch(`${endpoint}/decode`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', 'x-namespace': 'default', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return { preflight, post };
}

const decodedText = async (response: Response): Promise<string> => {
  const wire = (await response.json()) as Wire;
  return Buffer.from(wire.payloads[0]!.data, 'base64').toString();
};

describe('Temporal Web UI decrypting payloads through /codec/decode', function () {
  this.timeout(180_000);

  describe('the embedded dev server (npm start, loopback only)', () => {
    let devServer: DevServer | undefined;
    let app: FastifyInstance | undefined;
    let client: Client | undefined;
    let config: Config;
    let uiOrigin: string;
    let endpoint: string;
    let stored: Wire;
    let workflowId: string;
    const secretText = `laptop of ${randomUUID()} stolen`;

    before(async () => {
      // Composed as startAll composes it: no TEMPORAL_ADDRESS, HTTP on loopback, the UI told where the codec is.
      config = loadConfig({ FIREBREAK_DATA_DIR: tempDir('codec-ui'), FIREBREAK_HTTP_PORT: String(await freePort()), FIREBREAK_TEMPORAL_PORT: String(await freePort()), FIREBREAK_TEMPORAL_UI_PORT: String(await freePort()) });
      const secrets = resolveSecrets(config);
      endpoint = embeddedUiCodecEndpoint(config);
      devServer = await startDevServer({ dataDir: config.dataDir, port: config.temporal.devServerPort, uiPort: config.temporal.uiPort, namespace: 'default', log: testLog, codecEndpoint: endpoint, readyTimeoutMs: 90_000 });
      client = await connectClient(temporalTarget(config, secrets, devServer.address), secrets);
      app = createService({ config, secrets, client, log: testLog, localWorkerRunning: () => false });
      await app.listen({ host: config.http.host, port: config.http.port });
      uiOrigin = `http://127.0.0.1:${config.temporal.uiPort}`;
      // Firebreak's data converter encrypts the start input; nobody polls this queue, the history is all we need.
      workflowId = `codec-ui-${randomUUID()}`;
      await client.workflow.start('incident', { taskQueue: `codec-ui-${randomUUID()}`, workflowId, args: [{ title: secretText }] });
      stored = await storedInput(client, 'default', workflowId);
    });
    after(async () => {
      await app?.close();
      await client?.connection.close();
      await devServer?.stop();
    });

    it('starts the UI with its codec endpoint set to Firebreak', async () => {
      const settings = (await (await fetch(`${devServer!.uiUrl}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
      assert.equal(settings.Codec?.Endpoint, endpoint);
      assert.equal(endpoint, `http://127.0.0.1:${config.http.port}/codec`);
    });

    it("decodes for the embedded UI's exact origin as the local admin, logging who and how many but no content", async () => {
      assert.ok(!Buffer.from(stored.payloads[0]!.data, 'base64').toString().includes(secretText), 'the stored input is encrypted');
      const lines: string[] = [];
      const untap = tapTestLog((line) => lines.push(line));
      try {
        for (const origin of [uiOrigin, `http://localhost:${config.temporal.uiPort}`]) {
          const { preflight, post } = await browserDecode(endpoint, origin, stored);
          assert.equal(preflight.status, 204);
          assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
          assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /x-namespace/);
          assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
          assert.equal(post.status, 200);
          assert.equal(post.headers.get('access-control-allow-origin'), origin);
          assert.equal(JSON.parse(await decodedText(post)).title, secretText);
        }
      } finally {
        untap();
      }
      const used = lines.filter((line) => line.includes('codec used')).map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.equal(used.length, 2);
      const { personId, via, origin, namespace, direction, payloads } = used[0]!;
      assert.deepEqual({ personId, via, origin, namespace, direction, payloads }, { personId: 'local-admin', via: 'local-ui', origin: uiOrigin, namespace: 'default', direction: 'decode', payloads: 1 });
      assert.ok(lines.every((line) => !line.includes(secretText) && !line.includes(stored.payloads[0]!.data)), 'no payload content in any log line');
    });

    it("shows the decrypted input on the workflow's page of the real embedded UI in headless Chromium", async function () {
      if (!CHROMIUM) return this.skip(); // Debian's chromium package is not installed on this machine
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage();
        await page.goto(`${devServer!.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
        // The UI decodes the input in the browser through Firebreak; the ciphertext alone never contains this text.
        await page.getByText(secretText).first().waitFor({ timeout: 30_000 });
      } finally {
        await browser.close();
      }
    });

    it('refuses a tokenless decode from any other origin, and checks a token when one is sent', async () => {
      for (const origin of ['https://evil.example', `http://127.0.0.1:${config.http.port}`, `http://127.0.0.1:${config.temporal.uiPort + 1}`]) {
        const { preflight, post } = await browserDecode(endpoint, origin, stored);
        assert.equal(preflight.status, 403, origin);
        assert.equal(preflight.headers.get('access-control-allow-origin'), null);
        assert.equal(post.status, 401, origin);
        assert.equal(post.headers.get('access-control-allow-origin'), null);
      }
      const noOrigin = await fetch(`${endpoint}/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(stored) });
      assert.equal(noOrigin.status, 401);
      const forgedToken = await browserDecode(endpoint, uiOrigin, stored, 'not-a-token');
      assert.equal(forgedToken.post.status, 401);
    });
  });

  it('trusts the embedded UI only on a loopback-only install', async () => {
    const deps = (env: Record<string, string>) => codecRouteDeps(loadConfig({ FIREBREAK_DATA_DIR: tempDir('codec-trust'), ...env }), new AesGcmPayloadCodec(parseKeyring(JSON.stringify({ current: 'k', keys: { k: Buffer.alloc(32).toString('base64') } }))), new TokenDirectory([]), testLog);
    assert.deepEqual(deps({}).localUi?.origins, ['http://localhost:8233', 'http://127.0.0.1:8233']);
    assert.equal(deps({ FIREBREAK_HTTP_HOST: '0.0.0.0' }).localUi, undefined, 'HTTP reachable from other machines');
    assert.equal(deps({ TEMPORAL_ADDRESS: 'temporal.example.com:7233' }).localUi, undefined, 'a cluster');
  });

  describe("a cluster's UI on its own origin (codecOrigins)", () => {
    let fb: FirebreakUnderTest | undefined;
    const clusterUi = 'https://temporal.example.com';
    after(async () => fb?.stop());

    it('answers CORS for exactly the configured origin, decodes only for a token with a codec role, and serves the Temporal CLI with --codec-auth', async () => {
      fb = await FirebreakUnderTest.start({ people: [{ id: 'ivan', roles: ['incident-commander'] }, { id: 'alice', roles: ['legal'] }], config: { codecOrigins: [clusterUi] } });
      const workflowId = `codec-cluster-${randomUUID()}`;
      await fb.client.workflow.start('incident', { taskQueue: `codec-ui-${randomUUID()}`, workflowId, args: [{ title: 'cluster secret' }] });
      const stored = await storedInput(fb.client, fb.config.temporal.namespace, workflowId);
      const endpoint = `${fb.baseUrl}/codec`;

      const withToken = await browserDecode(endpoint, clusterUi, stored, 'token-ivan');
      assert.equal(withToken.preflight.status, 204);
      assert.equal(withToken.preflight.headers.get('access-control-allow-origin'), clusterUi);
      assert.match(withToken.preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
      assert.equal(withToken.post.status, 200);
      assert.equal(withToken.post.headers.get('access-control-allow-origin'), clusterUi);
      assert.equal(JSON.parse(await decodedText(withToken.post)).title, 'cluster secret');

      assert.equal((await browserDecode(endpoint, clusterUi, stored)).post.status, 401, 'no tokenless decode with a cluster');
      assert.equal((await browserDecode(endpoint, clusterUi, stored, 'token-alice')).post.status, 403, 'a token without a codec role');
      // The Temporal CLI, as the guide shows it: the same endpoint with the person's token.
      const cli = await run(temporalCliPath(), ['workflow', 'show', '--address', fb.config.temporal.address!, '--namespace', fb.config.temporal.namespace, '--workflow-id', workflowId, '--codec-endpoint', endpoint, '--codec-auth', 'Bearer token-ivan', '--output', 'json']);
      // JSON output keeps payload data base64: the decoded start input, as the worker's data converter wrote it.
      assert.ok(cli.stdout.includes(Buffer.from(JSON.stringify({ title: 'cluster secret' })).toString('base64')), cli.stdout);
      // With a cluster there is no embedded UI to stand for the local admin: a loopback UI origin needs a token too.
      const loopback = await browserDecode(endpoint, `http://127.0.0.1:${fb.config.temporal.uiPort}`, stored);
      assert.equal(loopback.post.status, 401);
      assert.equal((await browserDecode(endpoint, 'https://other.example.com', stored, 'token-ivan')).post.headers.get('access-control-allow-origin'), null, 'an origin not configured gets no CORS answer');
    });

    it('refuses a codecOrigins entry that is not a bare origin, naming the setting', () => {
      const dir = tempDir('codec-cfg');
      const file = path.join(dir, 'firebreak.yaml');
      writeFileSync(file, 'codecOrigins:\n  - https://temporal.example.com/namespaces\n');
      assert.throws(() => loadConfig({ FIREBREAK_DATA_DIR: dir, FIREBREAK_CONFIG: file }), (error: Error) => /codecOrigins\.0/.test(error.message) && /expected an origin/.test(error.message));
    });
  });
});
