import { access, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { AUDIT_FILES } from '../audit';
import { readLineBatches } from '../audit/jsonl-lines';
import { type GenerationIndex, generationId } from './incident-generations';

const MARKER = 'seeded-from-audit-log';

/** An alert incident id as the audit log's canonical JSON holds it: the fingerprint's first id and the generation. */
const ALERT_INCIDENT = /"incidentId":"(incident\/[A-Za-z0-9_.-]+\/[0-9a-f]{32})(?:r(\d+))?"/;

export interface SeedResult {
  /** False when an earlier start had seeded the index already. */
  scanned: boolean;
  records: number;
  fingerprints: number;
  ms: number;
}

/**
 * Fills the generation index, once per data dir, from the audit log: a deployment upgraded from a release without the
 * index has incidents only Temporal (until retention) and the audit log (for good) remember. Every alert incident
 * that ever received an alert has an audit record under its id, so the newest generation per fingerprint is known.
 * Runs before the service listens; later starts find the marker and read nothing. Lines are matched, not parsed: the
 * scan costs what reading the file does.
 */
export async function seedGenerationsFromAuditLog(indexDir: string, auditDir: string, index: GenerationIndex): Promise<SeedResult> {
  const started = Date.now();
  const marker = path.join(indexDir, MARKER);
  const done = await access(marker).then(
    () => true,
    () => false,
  );
  if (done) return { scanned: false, records: 0, fingerprints: 0, ms: Date.now() - started };
  const newest = new Map<string, number>();
  let records = 0;
  for await (const batch of readLineBatches(path.join(auditDir, AUDIT_FILES.records), { chunkBytes: 1024 * 1024 })) {
    for (const line of batch) {
      records += 1;
      const match = ALERT_INCIDENT.exec(line.text);
      if (!match) continue;
      const generation = match[2] ? Number.parseInt(match[2], 10) : 1;
      if (generation > (newest.get(match[1]!) ?? 0)) newest.set(match[1]!, generation);
    }
  }
  for (const [baseId, generation] of newest) {
    if (((await index.latest(baseId))?.generation ?? 0) >= generation) continue;
    await index.record(baseId, { generation, incidentId: generationId(baseId, generation) });
  }
  await mkdir(indexDir, { recursive: true, mode: 0o700 });
  await (await open(marker, 'a', 0o600)).close();
  return { scanned: true, records, fingerprints: newest.size, ms: Date.now() - started };
}
