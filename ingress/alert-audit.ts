import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditWriter } from '../audit';

const ALERT_ROUTE = /^\/v1\/alerts\/([^/?]+)/;

interface AnswerEntry {
  incidentId?: string;
  outcome?: string;
  reason?: string;
  reopenedFrom?: string;
  runbook?: string;
  via?: string;
  passedOver?: { runbook: string; reason: string }[];
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The answer body the alert route sent, by request: the hook reads it instead of parsing the serialised payload again.
 * Answers fastify gives before the route runs (413, 415) are not here and are parsed.
 */
export const alertAnswers = new WeakMap<FastifyRequest, Record<string, unknown>>();

function parsedPayload(payload: unknown): unknown {
  if (typeof payload !== 'string') return undefined;
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}

function answerFields(answer: unknown): { error?: string; deliveryId?: string; ignored: boolean; entries: AnswerEntry[] } {
  if (typeof answer !== 'object' || answer === null) return { ignored: false, entries: [] };
  try {
    const body = answer as { error?: unknown; deliveryId?: unknown; ignored?: unknown; incidents?: Record<string, unknown>[] };
    return {
      error: text(body.error),
      deliveryId: text(body.deliveryId),
      ignored: body.ignored === true,
      entries: Array.isArray(body.incidents)
        ? body.incidents.map((i) => ({
            incidentId: text(i.incidentId),
            outcome: text(i.outcome),
            reason: text(i.reason),
            reopenedFrom: text(i.reopenedFrom),
            runbook: text(i.runbook),
            via: text(i.via),
            passedOver: Array.isArray(i.passedOver) ? (i.passedOver as Record<string, unknown>[]).map((p) => ({ runbook: String(p.runbook), reason: String(p.reason) })) : undefined,
          }))
        : [],
    };
  } catch {
    return { ignored: false, entries: [] };
  }
}

/** The audit action for one alert of an accepted delivery, by what the incident lifecycle did with it. */
const ACTION_BY_OUTCOME: Readonly<Record<string, string>> = {
  signalled: 'alert.accepted',
  reopened: 'alert.reopened',
  after_close: 'alert.after_close',
  no_incident: 'alert.no_incident',
};

/**
 * An `onSend` hook writing one audit record per alert delivery, accepted or refused, from the answer Firebreak gives:
 * status, the refusal code and the delivery and incident ids. It sees the answer rather than the request, so refusals
 * raised before the route runs (413, 415) are recorded too, and the alert body never reaches the audit log. An alert
 * that opened a successor also leaves `incident.reopened_as` on the closed incident, keyed so it is written once.
 */
export function alertDeliveryAudit(audit: AuditWriter) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    const match = request.method === 'POST' ? ALERT_ROUTE.exec(request.url) : null;
    if (!match) return payload;
    const answer = answerFields(alertAnswers.get(request) ?? parsedPayload(payload));
    const accepted = reply.statusCode < 300;
    const source = decodeURIComponent(match[1]!).slice(0, 128);
    const actor = { kind: 'source' as const, id: source || '(none)' };
    const delivery = randomUUID();
    const data = {
      status: reply.statusCode,
      ...(answer.error && { code: answer.error }),
      ...(answer.deliveryId && { deliveryId: answer.deliveryId }),
      ...(answer.entries.some((e) => e.incidentId) && { incidents: answer.entries.flatMap((e) => (e.incidentId ? [e.incidentId] : [])) }),
    };
    const baseAction = accepted ? (reply.statusCode === 200 ? 'alert.duplicate' : answer.ignored ? 'alert.ignored' : 'alert.accepted') : 'alert.refused';
    // One record per alert of the delivery, so each incident's report shows its alerts and what became of them.
    // Queued in order before the answer leaves. An accepted delivery's answer does not wait for the log's fdatasync
    // (the alert is durable in Temporal already and the log's close waits for queued records); a refusal's and a
    // reopening's do, so whoever was refused finds the refusal on record, and both incidents show the link at once.
    const written: Promise<unknown>[] = [];
    const entries: AnswerEntry[] = answer.entries.length > 0 ? answer.entries : [{}];
    for (const [index, entry] of entries.entries()) {
      written.push(audit.record({
        key: `ingress/alert/${delivery}/${index}`,
        actor,
        action: (entry.outcome && ACTION_BY_OUTCOME[entry.outcome]) ?? baseAction,
        incidentId: entry.incidentId,
        data: { ...data, ...(entry.outcome && { outcome: entry.outcome }), ...(entry.reason && { reason: entry.reason }), ...(entry.reopenedFrom && { reopenedFrom: entry.reopenedFrom }),
          // Which runbook the alert started and why: a runbook passed over names what the alert or config lacked.
          ...(entry.runbook && { runbook: entry.runbook, via: entry.via }),
          ...(entry.passedOver && { passedOver: entry.passedOver }),
        },
      }));
      if (entry.outcome === 'reopened' && entry.reopenedFrom && entry.incidentId) {
        written.push(audit.record({
          key: `incident/${entry.reopenedFrom}/reopened-as/${entry.incidentId}`,
          actor,
          action: 'incident.reopened_as',
          incidentId: entry.reopenedFrom,
          data: { successor: entry.incidentId },
        }));
      }
    }
    if (!accepted || entries.some((e) => e.outcome === 'reopened')) await Promise.all(written);
    return payload;
  };
}
