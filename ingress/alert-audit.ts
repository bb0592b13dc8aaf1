import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditWriter } from '../audit';

const ALERT_ROUTE = /^\/v1\/alerts\/([^/?]+)/;

function answerFields(payload: unknown): { error?: string; deliveryId?: string; incidents: string[] } {
  if (typeof payload !== 'string') return { incidents: [] };
  try {
    const body = JSON.parse(payload) as { error?: unknown; deliveryId?: unknown; incidents?: { incidentId?: unknown }[] };
    return {
      error: typeof body.error === 'string' ? body.error : undefined,
      deliveryId: typeof body.deliveryId === 'string' ? body.deliveryId : undefined,
      incidents: Array.isArray(body.incidents) ? body.incidents.map((i) => i.incidentId).filter((id): id is string => typeof id === 'string') : [],
    };
  } catch {
    return { incidents: [] };
  }
}

/**
 * An `onSend` hook writing one audit record per alert delivery, accepted or refused, from the answer Firebreak gives:
 * status, the refusal code and the delivery and incident ids. It sees the answer rather than the request, so refusals
 * raised before the route runs (413, 415) are recorded too, and the alert body never reaches the audit log.
 */
export function alertDeliveryAudit(audit: AuditWriter) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const match = request.method === 'POST' ? ALERT_ROUTE.exec(request.url) : null;
    if (!match) return payload;
    const answer = answerFields(payload);
    const accepted = reply.statusCode < 300;
    const source = decodeURIComponent(match[1]!).slice(0, 128);
    const delivery = randomUUID();
    const data = {
      status: reply.statusCode,
      ...(answer.error && { code: answer.error }),
      ...(answer.deliveryId && { deliveryId: answer.deliveryId }),
      ...(answer.incidents.length > 0 && { incidents: answer.incidents }),
    };
    // One record per incident the delivery reached, so each incident's report shows its alerts.
    const incidents: (string | undefined)[] = answer.incidents.length > 0 ? answer.incidents : [undefined];
    for (const [index, incidentId] of incidents.entries()) {
      await audit.record({
        key: `ingress/alert/${delivery}/${index}`,
        actor: { kind: 'source', id: source || '(none)' },
        action: accepted ? (reply.statusCode === 200 ? 'alert.duplicate' : 'alert.accepted') : 'alert.refused',
        incidentId,
        data,
      });
    }
    return payload;
  };
}
