import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type AuditLog, readAuditRecords } from '../audit';
import type { EvidenceStore, Handler } from '../evidence';
import { BUNDLE, type BundleManifest, sha256File } from './bundle-format';
import { collectReport, type ReportSources } from './collect';
import { reportHtml } from './html';
import { reportMarkdown } from './markdown';

export interface ExportSources extends Omit<ReportSources, 'evidence'> {
  auditLog: AuditLog;
  evidence: EvidenceStore;
  publicKeyPem: string;
  actor: Handler;
}

/**
 * Writes an export bundle into the empty directory `out`: every evidence file (re-verified and recorded as exported:
 * a tampered item stops the export with `evidence.tampered`), a fresh checkpoint, the audit chain up to it, the
 * report and a manifest of SHA-256 hashes. The chain is the whole log prefix, not only the incident's records: each
 * record's hash covers its predecessor, so proving the incident's records needs every record between them and the
 * checkpoint. A third party checks it offline with `audit verify --bundle`.
 */
export async function exportBundle(incidentId: string, out: string, sources: ExportSources): Promise<BundleManifest> {
  await fs.mkdir(path.join(out, BUNDLE.evidenceDir), { recursive: true });
  if ((await fs.readdir(out)).some((name) => name !== BUNDLE.evidenceDir)) throw Object.assign(new Error(`${out} is not empty`), { code: 'export.out_not_empty' });
  for (const item of await sources.evidence.listEvidence(incidentId)) {
    const bytes = await sources.evidence.open(item.evidenceId, sources.actor, `export bundle of ${incidentId}`, { event: 'exported' });
    await pipeline(bytes, createWriteStream(path.join(out, BUNDLE.evidenceDir, item.evidenceId), { mode: 0o600 }));
  }
  const checkpoint = await sources.auditLog.checkpoint();
  await fs.mkdir(path.join(out, 'audit'), { recursive: true });
  const report = await collectReport(incidentId, sources);
  await writeLines(path.join(out, BUNDLE.chain), chainUpTo(sources.auditDir, checkpoint.size));
  await fs.writeFile(path.join(out, BUNDLE.checkpoints), `${JSON.stringify(checkpoint)}\n`);
  await fs.writeFile(path.join(out, BUNDLE.incidentSeqs), `${JSON.stringify(report.timeline.filter((r) => r.seq <= checkpoint.size).map((r) => r.seq))}\n`);
  await fs.writeFile(path.join(out, BUNDLE.publicKey), sources.publicKeyPem);
  await fs.writeFile(path.join(out, 'report.md'), reportMarkdown(report));
  await fs.writeFile(path.join(out, 'report.html'), reportHtml(report));
  await fs.writeFile(path.join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await fs.writeFile(path.join(out, 'evidence.json'), `${JSON.stringify(report.evidence.map(({ custody: _custody, ...item }) => item), null, 2)}\n`);
  const manifest: BundleManifest = {
    format: 'firebreak.export/1',
    incidentId,
    createdAt: new Date().toISOString(),
    checkpoint: { size: checkpoint.size, head: checkpoint.head },
    files: await Promise.all((await listFiles(out)).map(async (rel) => ({ path: rel, ...(await sha256File(path.join(out, rel))) }))),
  };
  await fs.writeFile(path.join(out, BUNDLE.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function* chainUpTo(auditDir: string, size: number): AsyncGenerator<string> {
  for await (const record of readAuditRecords(auditDir)) {
    if (record.seq > size) return;
    yield JSON.stringify(record);
  }
}

async function writeLines(file: string, lines: AsyncIterable<string>): Promise<void> {
  const fh = await fs.open(file, 'w', 0o644);
  try {
    for await (const line of lines) await fh.write(`${line}\n`);
  } finally {
    await fh.close();
  }
}

/** Every file under `dir`, relative, with `/` separators, sorted. */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}
