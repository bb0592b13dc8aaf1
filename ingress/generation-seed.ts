import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { AUDIT_FILES } from '../audit';
import { readLineBatches } from '../audit/jsonl-lines';
import { z } from 'zod';

const SEED_FILE = 'seeded-from-audit-log.json';

/** An alert incident id as the audit log's canonical JSON holds it: the fingerprint's first id and the generation. */
const ALERT_INCIDENT = /"incidentId":"(incident\/[A-Za-z0-9_.-]+\/[0-9a-f]{32})(?:r(\d+))?"/;

const SeedFile = z.object({ generations: z.record(z.string(), z.number().int().positive()) });

export interface SeedResult {
  /** The newest generation per fingerprint the audit log named when the index was first made. */
  generations: Map<string, number>;
  /** False when an earlier start (of this or another replica) had read the audit log already. */
  scanned: boolean;
  records: number;
  ms: number;
}

/**
 * The generations of an upgraded data dir: a deployment upgraded from a release without the index has incidents only
 * Temporal (until retention) and the audit log (for good) remember. Every alert incident that ever received an alert
 * has an audit record under its id, so the first start reads the audit log once (lines matched, not parsed) and keeps
 * the newest generation per fingerprint in one file, replaced atomically; every later start of any replica reads that
 * file instead. Run before the service listens, and `adopt` the result.
 */
export async function seedGenerationsFromAuditLog(indexDir: string, auditDir: string): Promise<SeedResult> {
  const started = Date.now();
  const file = path.join(indexDir, SEED_FILE);
  try {
    const seeded = SeedFile.parse(JSON.parse(await readFile(file, 'utf8')));
    return { generations: new Map(Object.entries(seeded.generations)), scanned: false, records: 0, ms: Date.now() - started };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const generations = new Map<string, number>();
  let records = 0;
  for await (const batch of readLineBatches(path.join(auditDir, AUDIT_FILES.records), { chunkBytes: 1024 * 1024 })) {
    for (const line of batch) {
      records += 1;
      const match = ALERT_INCIDENT.exec(line.text);
      if (!match) continue;
      const generation = match[2] ? Number.parseInt(match[2], 10) : 1;
      if (generation > (generations.get(match[1]!) ?? 0)) generations.set(match[1]!, generation);
    }
  }
  await mkdir(indexDir, { recursive: true, mode: 0o700 });
  // Replaced by rename: a replica reading it meanwhile sees all of it or none; two replicas seeding at once both write
  // what the log held before either served an alert.
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  const fh = await open(temp, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify({ generations: Object.fromEntries(generations) }));
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(temp, file);
  const dh = await open(indexDir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
  return { generations, scanned: true, records, ms: Date.now() - started };
}
