import type { AuditActor, AuditLog, Checkpoint } from '../../audit';
import type { AuditHead } from '../../audit/witness';
import type { PublishTimelineRequest } from '../../workflows/incident/timeline-publisher';

const CLOSING_EVENTS = new Set(['incident.completed', 'incident.aborted', 'incident.failed']);

function actorOf(name: string | undefined): AuditActor {
  if (!name) return { kind: 'system', id: 'firebreak' };
  const [kind, ...rest] = name.split(':');
  if (rest.length > 0 && (kind === 'source' || kind === 'system')) return { kind, id: rest.join(':') };
  return { kind: 'person', id: name };
}

/**
 * `incident.publish`: writes new timeline entries to the audit log. Workflow code never writes audit records itself;
 * keys come from the entry's position, so a retried activity appends nothing twice. The batch that closes the incident
 * ends with a checkpoint.
 *
 * The result names the log's head (size and hash) once this batch is on disk. Temporal keeps activity results in the
 * incident's history, outside the audit directory: `firebreak audit verify` checks the log still reaches every head
 * recorded there, so truncating or rolling back the log is caught even when its local checkpoints were cut to match.
 */
export function createPublishTimeline(auditLog: () => Promise<AuditLog>) {
  return async function publishTimeline(request: PublishTimelineRequest): Promise<{ published: number; checkpoint?: Checkpoint; witness?: AuditHead }> {
    const log = await auditLog();
    // Appended together, in order: the audit log commits them in one write and one fsync instead of one each.
    await Promise.all(
      request.entries.map((entry, offset) => {
        const data: Record<string, string> = { at: entry.at };
        if (entry.detail !== undefined) data.detail = entry.detail;
        Object.assign(data, entry.facts);
        return log.append({
          key: `${request.incidentId}/timeline/${request.from + offset}`,
          actor: actorOf(entry.actor),
          action: entry.event,
          incidentId: request.incidentId,
          subject: entry.stepId,
          data,
        });
      }),
    );
    // A signed checkpoint at close commits to everything the incident recorded, and the sink ships it off the machine;
    // the workflow also posts it to the incident's Slack channel.
    const witness = { size: log.head.size, hash: log.head.hash };
    if (request.entries.some((entry) => CLOSING_EVENTS.has(entry.event))) return { published: request.entries.length, checkpoint: await log.checkpoint(), witness };
    return { published: request.entries.length, witness };
  };
}
