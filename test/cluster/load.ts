import { randomUUID } from 'node:crypto';
import { alertIncidentId } from '../../ingress/alert-admission';
import { signStandardWebhook } from '../../ingress/webhooks/sources/sign';

/*
 * The senders and people of the cluster failure test: alert senders that retry the way a monitoring tool does (same
 * webhook-id, to whichever replica answers, after Retry-After), and an approver who approves every waiting notice.
 * Every answer is counted by what it was, so the test can say what was refused during each failure.
 */

export interface Tally {
  accepted: number;
  /** Answered 503 or 429: the sender retries. */
  retryable: number;
  /** No answer (the replica was killed): the sender retries elsewhere. */
  unreachable: number;
  /** Anything else: a silent loss if it ever happens. */
  other: { status: number; body: string }[];
}

export const emptyTally = (): Tally => ({ accepted: 0, retryable: 0, unreachable: 0, other: [] });

export interface SentAlert {
  title: string;
  incidentId: string;
  acceptedAt: number;
}

async function post(url: string, init: RequestInit): Promise<{ status: number; text: string } | undefined> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
    return { status: response.status, text: await response.text() };
  } catch {
    return undefined;
  }
}

/** Delivers one signed alert, retrying (same delivery id) across replicas until a 2xx or `giveUpMs` passes. */
export async function deliverAlert(replicas: string[], secret: string, title: string, tally: () => Tally, giveUpMs = 120_000): Promise<SentAlert | undefined> {
  const raw = JSON.stringify({ title, severity: 'high', fingerprint: title });
  const id = `msg_${randomUUID().replace(/-/g, '')}`;
  const deadline = Date.now() + giveUpMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const timestamp = Math.floor(Date.now() / 1000);
    const answer = await post(`${replicas[attempt % replicas.length]}/v1/alerts/generic`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signStandardWebhook(secret, id, timestamp, raw) },
      body: raw,
    });
    if (!answer) tally().unreachable++;
    else if (answer.status === 202 || answer.status === 200) {
      tally().accepted++;
      const body = JSON.parse(answer.text) as { incidents?: { incidentId: string }[]; duplicate?: boolean };
      // A duplicate: an earlier attempt was accepted but its answer never arrived (timed out, replica killed).
      const incidentId = body.duplicate ? alertIncidentId('generic', title) : body.incidents![0]!.incidentId;
      return { title, incidentId, acceptedAt: Date.now() };
    } else if (answer.status === 503 || answer.status === 429) tally().retryable++;
    else tally().other.push({ status: answer.status, body: answer.text.slice(0, 300) });
    await new Promise((r) => setTimeout(r, 1000));
  }
  return undefined;
}

/** GET/POST against whichever replica answers; undefined when none did with a 2xx. */
export async function api<T>(replicas: string[], method: string, route: string, token: string, body?: unknown): Promise<T | undefined> {
  for (const base of replicas) {
    const answer = await post(`${base}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (answer && answer.status >= 200 && answer.status < 300) return JSON.parse(answer.text) as T;
  }
  return undefined;
}

export interface IncidentView {
  phase: string;
  steps: { id: string; state: string }[];
}
