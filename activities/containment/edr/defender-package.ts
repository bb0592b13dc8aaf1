import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ApplicationFailure, log } from '@temporalio/activity';
import { z } from 'zod';
import { Text } from '../../../runbooks/actions/define';
import type { ActionRequest } from '../../../workflows/runbook-interpreter/steps/action';
import { parseInput } from '../vendor-kit/action';
import { VendorFailureType } from '../vendor-kit/failures';
import type { StateEvidenceDeps } from '../vendor-kit/state-evidence';
import type { VendorHttp } from '../vendor-kit/vendor-http';
import { type MachineAction, defenderMachine, odata } from './defender';

const CollectInput = z.strictObject({ host: Text, reason: Text.optional() });
const WORKER = { kind: 'system', id: 'firebreak-worker' } as const;
// Collection takes minutes on the device; each retry of the step looks again this much later.
const STILL_COLLECTING_DELAY_MS = 60_000;

/**
 * `host.collect-package` on Defender for Endpoint: asks the machine for its investigation package (once per step: the
 * request's comment carries the step key, and a retry finds the action it started), waits for it through the step's
 * retries, then downloads the package and keeps it as evidence. Needs Machine.CollectForensics and Machine.Read.All.
 */
export function createDefenderCollectPackage(http: VendorHttp, evidence: StateEvidenceDeps) {
  return async (request: ActionRequest) => {
    const input = parseInput({ name: 'host.collect-package', input: CollectInput }, request);
    const target = `host ${input.host}`;
    const machine = await defenderMachine(http, input.host);
    const marker = `[firebreak ${request.key}]`;
    const actions = await http.send<{ value?: (MachineAction & { requestorComment?: string })[] }>({ method: 'GET', path: '/api/machineactions', query: { $filter: `machineId eq ${odata(machine.id)}`, $top: '1000' }, target });
    let action = (actions.body?.value ?? []).find((a) => a.type === 'CollectInvestigationPackage' && (a.requestorComment ?? '').includes(marker));
    if (!action) {
      const comment = `${input.reason ?? 'Investigation package for a Firebreak incident'} ${marker}`;
      action = (await http.send<MachineAction>({ method: 'POST', path: '/api/machines/{id}/collectInvestigationPackage', params: { id: machine.id }, body: { Comment: comment }, target })).body;
    }
    if (action.status === 'Failed' || action.status === 'Cancelled' || action.status === 'TimeOut') {
      throw ApplicationFailure.create({ type: VendorFailureType.Refused, message: `defender could not collect the investigation package of ${input.host} (${action.status})`, nonRetryable: true, details: [{ vendor: 'defender', actionId: action.id }] });
    }
    if (action.status !== 'Succeeded') {
      throw ApplicationFailure.create({ type: VendorFailureType.Unavailable, message: `defender is still collecting the investigation package of ${input.host} (${action.status})`, details: [{ vendor: 'defender', actionId: action.id }], nextRetryDelay: STILL_COLLECTING_DELAY_MS });
    }
    const uri = (await http.send<{ value?: string }>({ method: 'GET', path: '/api/machineactions/{id}/GetPackageUri', params: { id: action.id }, target })).body?.value;
    if (!uri) throw ApplicationFailure.create({ type: VendorFailureType.Unavailable, message: `defender gave no download link for the package of ${input.host}`, details: [{ vendor: 'defender', actionId: action.id }] });
    // A short-lived pre-signed storage link: it carries its own authorization, so no token is sent with it.
    const download = await fetch(uri, { signal: AbortSignal.timeout(10 * 60_000) });
    if (!download.ok || !download.body) throw ApplicationFailure.create({ type: VendorFailureType.Unavailable, message: `downloading the package of ${input.host} answered ${download.status}`, details: [{ vendor: 'defender', status: download.status }] });
    const item = await (await evidence.store()).put(Readable.fromWeb(download.body as WebReadableStream<Uint8Array>), {
      key: `${request.key}/package`,
      incidentId: request.incidentId,
      name: `${machine.computerDnsName ?? input.host}.investigation-package.zip`,
      mediaType: 'application/zip',
      source: `defender:machines/${machine.id}/machineactions/${action.id}`,
      method: 'firebreak host.collect-package (Defender for Endpoint collectInvestigationPackage)',
      collectedBy: WORKER,
      stepId: request.stepId,
    });
    log.info('investigation package collected', { incidentId: request.incidentId, stepId: request.stepId, evidenceId: item.evidenceId });
    return { host: input.host, machineId: machine.id, actionId: action.id, evidenceId: item.evidenceId, sha256: item.sha256, size: item.size };
  };
}
