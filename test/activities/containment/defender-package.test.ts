import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createDefenderCollectPackage } from '../../../activities/containment/edr/defender-package';
import { createVendorHttp } from '../../../activities/containment/vendor-kit/vendor-http';
import { EvidenceStore } from '../../../evidence';
import type { ActionRequest } from '../../../workflows/runbook-interpreter/steps/action';
import { loadApiDescription, startValidatingServer, type ValidatingServer } from '../../helpers/openapi-validating-server';

const INCIDENT = 'incident/generic/5a5a5a';
const MACHINE = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';
const PACKAGE = Buffer.from('PK\u0003\u0004 investigation package of wks-042');

describe('Defender for Endpoint investigation package', function () {
  this.timeout(60_000);
  let server: ValidatingServer;
  let storage: Server;
  let storageUrl: string;
  let dir: string;
  let store: EvidenceStore;
  const actions: { id: string; machineId: string; type: string; status: string; creationDateTimeUtc: string; requestorComment: string }[] = [];
  before(async () => {
    storage = createServer((req, res) => (req.url?.startsWith('/packages/pkg-1.zip?sig=') ? res.writeHead(200, { 'content-type': 'application/zip' }).end(PACKAGE) : res.writeHead(403).end()));
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
    storageUrl = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => storage.close(() => resolve())));
  beforeEach(async () => {
    actions.length = 0;
    server = await startValidatingServer(loadApiDescription(path.join(__dirname, '..', '..', 'fixtures', 'vendor-apis', 'defender', 'machines.openapi.json')));
    server.handle('listMachines', () => ({ status: 200, body: { value: [{ id: MACHINE, computerDnsName: 'wks-042' }] } }));
    server.handle('listMachineActions', () => ({ status: 200, body: { value: actions } }));
    server.handle('collectInvestigationPackage', (req) => {
      const action = { id: `pkg-${actions.length + 1}`, machineId: String(req.params.id), type: 'CollectInvestigationPackage', status: 'Pending', creationDateTimeUtc: new Date().toISOString(), requestorComment: String((req.body as { Comment: string }).Comment) };
      actions.push(action);
      return { status: 201, body: action };
    });
    server.handle('getPackageUri', (req) => ({ status: 200, body: { value: `${storageUrl}/packages/${req.params.id}.zip?sig=short-lived` } }));
    dir = mkdtempSync(path.join(tmpdir(), 'mde-package-'));
    store = await EvidenceStore.open(dir);
  });
  afterEach(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    server.assertNoRefusals();
  });

  const request: ActionRequest = { key: `${INCIDENT}/collect-package`, incidentId: INCIDENT, stepId: 'collect-package', input: { host: 'wks-042', reason: `Ransomware (${INCIDENT})` } };
  const collect = () => createDefenderCollectPackage(createVendorHttp({ vendor: 'defender', baseUrl: server.url, authorization: async () => 'Bearer mde-token' }), { store: async () => store });
  const run = () => new MockActivityEnvironment().run(collect(), request) as Promise<{ evidenceId: string; sha256: string; size: number }>;

  it('asks once, waits through the step retries, and keeps the package as evidence', async () => {
    await assert.rejects(run(), (error: unknown) => error instanceof ApplicationFailure && error.type === 'containment.vendor_unavailable' && error.nonRetryable === false && /still collecting/.test(error.message));
    await assert.rejects(run(), /still collecting/);
    assert.equal(actions.length, 1, 'a retry finds the collection it asked for');
    assert.match(actions[0]!.requestorComment, new RegExp(`^Ransomware \\(${INCIDENT.replace(/\//g, '\\/')}\\) \\[firebreak ${request.key.replace(/\//g, '\\/')}\\]$`));
    actions[0]!.status = 'Succeeded';
    const kept = await run();
    assert.equal(kept.sha256, createHash('sha256').update(PACKAGE).digest('hex'));
    assert.equal(kept.size, PACKAGE.length);
    const [item] = await store.listEvidence(INCIDENT);
    assert.equal(item?.name, 'wks-042.investigation-package.zip');
  });

  it('fails at once when Defender could not collect it', async () => {
    actions.push({ id: 'pkg-1', machineId: MACHINE, type: 'CollectInvestigationPackage', status: 'Failed', creationDateTimeUtc: new Date().toISOString(), requestorComment: `x [firebreak ${request.key}]` });
    await assert.rejects(run(), (error: unknown) => error instanceof ApplicationFailure && error.type === 'containment.vendor_refused' && error.nonRetryable === true);
  });
});
