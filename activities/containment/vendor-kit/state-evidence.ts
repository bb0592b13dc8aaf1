import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { EvidenceError, type EvidenceStore, evidenceIdFor } from '../../../evidence';
import type { ActionRequest } from '../../../workflows/runbook-interpreter/steps/action';

/**
 * The before and after state of a containment target, kept as evidence with chain of custody. The before state is
 * what an undo restores, so it is written once per step (`<request key>/before`): a retried action, which now sees
 * the target already contained, gets back the state recorded by its first attempt, never its own. An undo (request
 * key `<forward key>/undo`) finds that record by the forward key alone, so compensation needs nothing in history.
 *
 * State objects are built by adapters from vendor answers; as a second line, keys that look like credentials are
 * redacted and a state that contains any of the adapter's secret values is refused before it is stored.
 */

export interface StateEvidenceDeps {
  store: () => Promise<EvidenceStore>;
}

export type Phase = 'before' | 'after' | 'observed';

export interface RecordedState<S> {
  state: S;
  evidenceId: string;
  sha256: string;
}

interface StateDocument<S> {
  vendor: string;
  action: string;
  target: string;
  phase: Phase;
  state: S;
}

const WORKER = { kind: 'system', id: 'firebreak-worker' } as const;
const CREDENTIAL_KEY = /token|secret|password|passwd|authorization|cookie|credential|private.?key/i;

/** Replaces the values of credential-looking keys at any depth. */
export function redactCredentials<T>(value: T): T {
  if (Array.isArray(value)) return value.map(redactCredentials) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, CREDENTIAL_KEY.test(key) ? '[redacted]' : redactCredentials(inner)])) as T;
  }
  return value;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The request key of the action an undo request compensates, or undefined for a step that is not an undo. */
export function forwardKeyOf(request: ActionRequest): string | undefined {
  return request.key.endsWith('/undo') ? request.key.slice(0, -'/undo'.length) : undefined;
}

/**
 * Stores the state as `<action>.<phase>.json` evidence of the incident (custody: collected by the worker from the
 * vendor). Resolves to the state stored first under this key: on a retry, the first attempt's.
 * Throws (plain Error, retried by the step policy) when the state contains one of `secrets`.
 */
export async function recordState<S>(
  deps: StateEvidenceDeps,
  request: ActionRequest,
  doc: StateDocument<S>,
  secrets: readonly string[] = [],
): Promise<RecordedState<S>> {
  const content = Buffer.from(JSON.stringify(redactCredentials(doc), null, 2));
  const text = content.toString('utf8');
  if (secrets.some((secret) => secret.length >= 8 && text.includes(secret))) {
    throw new Error(`${doc.action}: the ${doc.phase} state of ${doc.target} contains a credential; not recorded`);
  }
  const store = await deps.store();
  const item = await store.put(content, {
    key: `${request.key}/${doc.phase}`,
    incidentId: request.incidentId,
    name: `${doc.action}.${doc.phase}.json`,
    mediaType: 'application/json',
    source: `${doc.vendor}:${doc.target}`,
    method: `firebreak containment ${doc.action} (${doc.phase} state read from the ${doc.vendor} API)`,
    collectedBy: WORKER,
    stepId: request.stepId,
  });
  if (item.sha256 === createHash('sha256').update(content).digest('hex')) return { state: redactCredentials(doc).state, evidenceId: item.evidenceId, sha256: item.sha256 };
  const first = await readAll(await store.open(item.evidenceId, WORKER, `retry of ${request.stepId} reads the ${doc.phase} state its first attempt recorded`));
  return { state: (JSON.parse(first.toString('utf8')) as StateDocument<S>).state, evidenceId: item.evidenceId, sha256: item.sha256 };
}

/** The before state the compensated step recorded (hash re-verified by the store), or undefined when there is none. */
export async function recordedBefore<S>(deps: StateEvidenceDeps, request: ActionRequest): Promise<RecordedState<S> | undefined> {
  const forwardKey = forwardKeyOf(request);
  if (!forwardKey) return undefined;
  const store = await deps.store();
  const evidenceId = evidenceIdFor(`${forwardKey}/before`);
  try {
    const item = await store.get(evidenceId);
    const bytes = await readAll(await store.open(evidenceId, WORKER, `undo ${request.stepId}: restore the recorded prior state`));
    return { state: (JSON.parse(bytes.toString('utf8')) as StateDocument<S>).state, evidenceId, sha256: item.sha256 };
  } catch (error) {
    if (error instanceof EvidenceError && error.code === 'evidence.not_found') return undefined;
    throw error;
  }
}
