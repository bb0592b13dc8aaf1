import { AuditError } from './errors';
import { readLines } from './jsonl-lines';
import { auditPaths } from './log-state';
import { ParsedAuditLine, type AuditRecord } from './record';

/**
 * Streams the records of a log in file order, optionally only one incident's, for reports and
 * exports. Reading is not verifying: run `verifyAuditLog` for that. Throws `audit.log_corrupt`
 * at the first unreadable line rather than silently leaving it out of a report.
 */
export async function* readAuditRecords(dir: string, filter: { incidentId?: string } = {}): AsyncGenerator<AuditRecord> {
  for await (const line of readLines(auditPaths(dir).records)) {
    let json: unknown;
    try {
      json = JSON.parse(line.text);
    } catch {
      json = undefined;
    }
    const parsed = ParsedAuditLine.safeParse(json);
    if (!parsed.success) throw new AuditError('audit.log_corrupt', 'unreadable audit record; run `audit verify`', { offset: line.offset });
    if (filter.incidentId === undefined || parsed.data.incidentId === filter.incidentId) yield parsed.data;
  }
}
