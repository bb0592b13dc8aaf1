import { createHmac, hkdfSync, randomUUID } from 'node:crypto';

/** The request kinds that become Workflow Updates; the first segment of every update id. */
export type UpdateKind = 'approve' | 'reject' | 'answer' | 'abort' | 'resolve' | 'stop-clock' | 'run-runbook';

/**
 * A person decides a step (or answers it, or aborts the incident) once: a repeat of the same request, a double
 * click or a retry after a timeout, must get the first result. A blocked step can be resolved again after a retry,
 * and a clock or a runbook request is one submission each, so those kinds are deduped only per submission.
 */
const ONCE_PER_PERSON: ReadonlySet<UpdateKind> = new Set(['approve', 'reject', 'answer', 'abort']);

/**
 * Derives the update-id key from a secret every replica shares (the payload key), so two replicas name the same
 * request alike; a separate HKDF label keeps it from being usable as the payload key itself.
 */
export function deriveUpdateIdKey(sharedSecret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', sharedSecret, 'firebreak', 'update-id/v1', 32));
}

/**
 * The one update-id rule: `<kind>/<HMAC-SHA256(key, incident, kind, target, person, submission)>`. Temporal stores
 * update ids unencrypted, so the person's id (or Slack user id) appears only inside the keyed hash, which nobody
 * without the key can test guesses against. `submission` (a Slack view id, an HTTP idempotency key) is ignored for
 * the once-per-person kinds; absent for the others, every call is its own request.
 */
export function updateIdFor(
  key: Buffer,
  request: { kind: UpdateKind; incidentId: string; target: string; personId: string; submission?: string },
): string {
  const submission = ONCE_PER_PERSON.has(request.kind) ? '' : (request.submission ?? randomUUID());
  const mac = createHmac('sha256', key).update(JSON.stringify([request.incidentId, request.kind, request.target, request.personId, submission])).digest('base64url');
  return `${request.kind}/${mac.slice(0, 32)}`;
}
