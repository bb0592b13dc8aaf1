import type { AuditLog } from '../../audit';

/** What workflow code asks `audit.append` to record; the key is built in the workflow from what the record means. */
export interface AppendAuditRequest {
  key: string;
  action: string;
  incidentId: string;
  subject?: string;
  data: Record<string, string>;
}

/**
 * `audit.append`: one audit record outside an incident's timeline, for work that outlives the incident (a
 * containment lift after close). `incident.publish` keys its records by timeline position, which a workflow other than
 * the incident cannot know; here the caller's key is the record's key, so a retried activity records nothing twice.
 */
export function createAppendAudit(auditLog: () => Promise<AuditLog>) {
  return async function appendAudit(request: AppendAuditRequest): Promise<{ seq: number; hash: string }> {
    const record = await (await auditLog()).append({
      key: request.key,
      actor: { kind: 'system', id: 'firebreak' },
      action: request.action,
      incidentId: request.incidentId,
      ...(request.subject !== undefined && { subject: request.subject }),
      data: request.data,
    });
    return { seq: record.seq, hash: record.hash };
  };
}
