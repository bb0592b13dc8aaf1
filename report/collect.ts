import type { KeyObject } from 'node:crypto';
import path from 'node:path';
import { AUDIT_FILES, Checkpoint, readAuditRecords, signingKeyId, verifyAuditLog, type AuditRecord } from '../audit';
import { readLines } from '../audit/jsonl-lines';
import type { EvidenceStore } from '../evidence';
import type { Runbook } from '../runbooks/schema/runbook';
import { clocksFrom, decisionsFrom, noticesFrom, stepsFrom, summaryFrom } from './derive';
import type { IncidentReport, ReportVerification } from './model';
import { renderRunbookGraph } from './runbook-graph';

export interface ReportSources {
  auditDir: string;
  publicKey: KeyObject;
  evidence: EvidenceStore;
  /** The incident's status query result, while Temporal still has the workflow. */
  status?: unknown;
  /** Finds the runbook the incident ran (id and version from its opening record) for the graph. */
  runbook?: (id: string, version: number) => Promise<Runbook | undefined>;
  now?: () => Date;
}

/** Thrown when neither the audit log nor the evidence store knows the incident. */
export class ReportError extends Error {
  readonly code = 'report.incident_unknown';
}

/**
 * Builds the report from Firebreak's own stores, so it still works after Temporal deleted the closed workflow: the
 * audit log (timeline, decisions, notices, clocks) and the evidence store (items and custody, read without adding
 * custody events). The live status, when given, only adds the title, severity and clock due times.
 */
export async function collectReport(incidentId: string, sources: ReportSources): Promise<IncidentReport> {
  const timeline: AuditRecord[] = [];
  for await (const record of readAuditRecords(sources.auditDir, { incidentId })) timeline.push(record);
  const items = await sources.evidence.listEvidence(incidentId);
  if (timeline.length === 0 && items.length === 0 && sources.status === undefined) throw new ReportError(`no records of ${incidentId}`);
  const evidence = await Promise.all(items.map(async (item) => ({ ...item, custody: await sources.evidence.custody(item.evidenceId) })));
  const summary = summaryFrom(sources.status, timeline);
  const pinned = /^(\S+) v(\d+)$/.exec(summary.runbook ?? '');
  const runbook = pinned && sources.runbook ? await sources.runbook(pinned[1]!, Number(pinned[2])) : undefined;
  return {
    incidentId,
    generatedAt: (sources.now?.() ?? new Date()).toISOString(),
    summary,
    timeline,
    steps: stepsFrom(timeline),
    ...decisionsFrom(timeline),
    evidence,
    clocks: clocksFrom(sources.status, timeline),
    notices: noticesFrom(timeline),
    verification: await verification(sources, timeline),
    runbookGraph: runbook ? await renderRunbookGraph(runbook) : undefined,
  };
}

async function verification(sources: ReportSources, timeline: readonly AuditRecord[]): Promise<ReportVerification> {
  const result = await verifyAuditLog(sources.auditDir, sources.publicKey);
  const last = timeline[timeline.length - 1]?.seq ?? 0;
  let covering: Checkpoint | undefined;
  for await (const line of readLines(path.join(sources.auditDir, AUDIT_FILES.checkpoints))) {
    const cp = Checkpoint.safeParse(safeJson(line.text));
    if (cp.success && cp.data.size >= last && (!covering || cp.data.size < covering.size)) covering = cp.data;
  }
  return {
    ok: result.ok,
    records: result.records,
    checkpoints: result.checkpoints,
    problems: result.problems.slice(0, 20),
    coveringCheckpoint: covering && last > 0 ? { size: covering.size, head: covering.head, at: covering.at } : undefined,
    publicKeyId: signingKeyId(sources.publicKey),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
