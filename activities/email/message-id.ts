import { createHash } from 'node:crypto';

/** A Message-ID derived from the step's idempotency key: the same notice always carries the same id. */
export function messageIdFor(key: string, domain = 'firebreak.local'): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@${domain}>`;
}

/** File-name-safe stem of the same key, for the outbox and the sent-marker store. */
export function keyStem(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 40);
}
