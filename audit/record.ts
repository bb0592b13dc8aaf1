import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json';

/** `prev` of the first record: 64 hex zeros. */
export const GENESIS_HASH = '0'.repeat(64);

export const HexHash = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');
export type HexHash = z.infer<typeof HexHash>;

/** Who did it: a person (Slack user / API token owner), Firebreak itself, or an alert source. */
export const AuditActor = z.strictObject({
  kind: z.enum(['person', 'system', 'source']),
  id: z.string().min(1).max(256),
});
export type AuditActor = z.infer<typeof AuditActor>;

export const AuditAction = z
  .string()
  .max(128)
  .regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/, 'dotted lower-case, e.g. approval.granted');
export type AuditAction = z.infer<typeof AuditAction>;

/** What a caller hands to `AuditLog.append`; the log assigns `seq`, `at`, `prev` and `hash`. */
export const AuditEntry = z.strictObject({
  key: z.string().min(1).max(512),
  actor: AuditActor,
  action: AuditAction,
  incidentId: z.string().min(1).max(256).optional(),
  subject: z.string().min(1).max(512).optional(),
  data: z.record(z.string(), z.json()).default({}),
});
export type AuditEntry = z.input<typeof AuditEntry>;

/** One stored line of `audit.jsonl`. `hash` = SHA-256 over the canonical JSON of every other field. */
export const AuditRecord = z.strictObject({
  seq: z.number().int().positive(),
  at: z.iso.datetime(),
  key: z.string().min(1).max(512),
  actor: AuditActor,
  action: AuditAction,
  incidentId: z.string().min(1).max(256).optional(),
  subject: z.string().min(1).max(512).optional(),
  data: z.record(z.string(), z.json()),
  prev: HexHash,
  hash: HexHash,
});
export type AuditRecord = z.infer<typeof AuditRecord>;

/** The hash a record must carry: SHA-256 (hex) of the canonical JSON of the record without `hash`. */
export function computeRecordHash(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...body } = record;
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}
