import type { KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AuditRecord, loadPublicKey, signingKeyId, verifyAuditLog, type AuditProblem } from '../audit';
import { readLines } from '../audit/jsonl-lines';
import { EvidenceItem } from '../evidence';
import { BUNDLE, BundleManifest, sha256File } from './bundle-format';
import { listFiles } from './export-bundle';

export type BundleProblemCode =
  | 'bundle.manifest_invalid'
  | 'bundle.file_missing'
  | 'bundle.file_altered'
  | 'bundle.file_unlisted'
  | 'bundle.checkpoint_missing'
  | 'bundle.incident_record_missing'
  | 'bundle.evidence_mismatch';

export interface BundleProblem {
  code: BundleProblemCode | AuditProblem['code'];
  path?: string;
  seq?: number;
}

export interface BundleVerification {
  ok: boolean;
  incidentId?: string;
  /** Fingerprint of the key the checkpoints were checked against: compare it with a copy kept elsewhere. */
  publicKeyId?: string;
  records: number;
  incidentRecords: number;
  evidenceItems: number;
  problems: BundleProblem[];
}

/**
 * Checks an export bundle offline: every file against the manifest (and nothing unlisted), the audit chain and its
 * signed checkpoint (which must end the chain), each of the incident's records inside that chain, and each evidence
 * file against its recorded hash. `publicKey` overrides the key in the bundle, for a check against an independent copy.
 */
export async function verifyBundle(dir: string, publicKey?: KeyObject): Promise<BundleVerification> {
  const problems: BundleProblem[] = [];
  const empty: BundleVerification = { ok: false, records: 0, incidentRecords: 0, evidenceItems: 0, problems };
  const manifest = BundleManifest.safeParse(await readJson(path.join(dir, BUNDLE.manifest)));
  if (!manifest.success) return { ...empty, problems: [{ code: 'bundle.manifest_invalid', path: BUNDLE.manifest }] };
  const listed = new Map(manifest.data.files.map((f) => [f.path, f]));
  for (const file of manifest.data.files) {
    const actual = await sha256File(path.join(dir, file.path)).catch(() => undefined);
    if (!actual) problems.push({ code: 'bundle.file_missing', path: file.path });
    else if (actual.sha256 !== file.sha256 || actual.size !== file.size) problems.push({ code: 'bundle.file_altered', path: file.path });
  }
  for (const rel of await listFiles(dir)) if (rel !== BUNDLE.manifest && !listed.has(rel)) problems.push({ code: 'bundle.file_unlisted', path: rel });

  const key = publicKey ?? loadPublicKey(await fs.readFile(path.join(dir, BUNDLE.publicKey), 'utf8'));
  const chainFile = path.join(dir, BUNDLE.chain);
  const audit = await verifyAuditLog({ records: texts(chainFile), checkpoints: texts(path.join(dir, BUNDLE.checkpoints)) }, key);
  problems.push(...audit.problems.map((p) => ({ code: p.code, seq: p.seq })));
  const cp = manifest.data.checkpoint;
  if (audit.checkpoints === 0 || audit.head.size !== cp.size || audit.head.hash !== cp.head) problems.push({ code: 'bundle.checkpoint_missing', path: BUNDLE.checkpoints });

  const seqs = new Set((await readJson(path.join(dir, BUNDLE.incidentSeqs))) as number[]);
  let found = 0;
  for await (const line of readLines(chainFile)) {
    const record = AuditRecord.safeParse(safeJson(line.text));
    if (record.success && seqs.has(record.data.seq)) {
      if (record.data.incidentId === manifest.data.incidentId) found++;
      else problems.push({ code: 'bundle.incident_record_missing', seq: record.data.seq });
    }
  }
  if (found !== seqs.size) problems.push({ code: 'bundle.incident_record_missing', path: BUNDLE.incidentSeqs });

  const items = EvidenceItem.array().safeParse(await readJson(path.join(dir, 'evidence.json')));
  if (!items.success) problems.push({ code: 'bundle.manifest_invalid', path: 'evidence.json' });
  for (const item of items.success ? items.data : []) {
    const file = listed.get(`${BUNDLE.evidenceDir}/${item.evidenceId}`);
    if (!file || file.sha256 !== item.sha256 || file.size !== item.size) problems.push({ code: 'bundle.evidence_mismatch', path: `${BUNDLE.evidenceDir}/${item.evidenceId}` });
  }
  return {
    ok: problems.length === 0,
    incidentId: manifest.data.incidentId,
    publicKeyId: signingKeyId(key),
    records: audit.records,
    incidentRecords: found,
    evidenceItems: items.success ? items.data.length : 0,
    problems,
  };
}

async function* texts(file: string): AsyncGenerator<string> {
  for await (const line of readLines(file)) yield line.text;
}

async function readJson(file: string): Promise<unknown> {
  return safeJson(await fs.readFile(file, 'utf8').catch(() => ''));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
