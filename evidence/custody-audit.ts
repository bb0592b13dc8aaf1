import type { AuditEntry } from '../audit';
import type { CustodyEvent, EvidenceItem } from './schema';

/**
 * The audit record mirroring one custody event. The key is the event id, so the `collected` event a retried capture
 * reports again is written once. Carries hashes and names, never the evidence bytes.
 */
export function custodyAuditEntry(event: CustodyEvent, item: EvidenceItem): AuditEntry {
  const data: Record<string, string | number> = { evidenceId: item.evidenceId, name: item.name, sha256: event.sha256, expectedSha256: item.sha256, size: item.size, at: event.at, reason: event.reason };
  if (event.to) data.to = event.to;
  return {
    key: `evidence/${event.eventId}`,
    actor: event.by,
    action: `evidence.${event.event.replace(/-/g, '_')}`,
    incidentId: item.incidentId,
    subject: item.evidenceId,
    data,
  };
}
