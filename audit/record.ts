import { hash as sha256 } from 'node:crypto';
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

/**
 * `AuditRecord` for a value fresh from `JSON.parse` of a stored line, compiled ahead (`z.compile`) for the loops that
 * read whole logs. Such a value's `data` is JSON by construction except for a number literal too large for a double
 * (parsed as Infinity), so the recursive `z.json()` check, which cannot be compiled and cost most of a verification's
 * parse, becomes a walk for non-finite numbers: it accepts exactly the parsed lines `AuditRecord` accepts.
 */
export const ParsedAuditLine = z.compile(AuditRecord.extend({ data: z.record(z.string(), z.custom<z.core.util.JSONType>(allNumbersFinite, 'a JSON value')) }));

function allNumbersFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return true;
  for (const member of Object.values(value)) if (!allNumbersFinite(member)) return false;
  return true;
}

/** The hash a record must carry: SHA-256 (hex) of the canonical JSON of the record without `hash`. */
export function computeRecordHash(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...body } = record;
  return sha256('sha256', canonicalJson(body), 'hex');
}

/**
 * The record for `body` and its stored line (canonical JSON with `hash`), serialising the body once: `hash` sorts
 * between `data` and `incidentId`, so the hashed text and the line share both halves. The top-level members are written
 * out in their sorted order rather than sorted per record (this runs for every append), so `body` must hold exactly
 * the record's members, as a strict `AuditEntry` parse guarantees; nested values go through `canonicalJson`, unless the
 * caller serialised `data` already (`dataText`).
 */
export function sealRecord(body: Omit<AuditRecord, 'hash'>, dataText = canonicalJson(body.data)): { record: AuditRecord; line: string } {
  const head = `{"action":${JSON.stringify(body.action)},"actor":{"id":${JSON.stringify(body.actor.id)},"kind":${JSON.stringify(body.actor.kind)}},"at":${JSON.stringify(body.at)},"data":${dataText}`;
  let tail = body.incidentId === undefined ? '' : `,"incidentId":${JSON.stringify(body.incidentId)}`;
  tail += `,"key":${JSON.stringify(body.key)},"prev":${JSON.stringify(body.prev)},"seq":${canonicalJson(body.seq)}`;
  if (body.subject !== undefined) tail += `,"subject":${JSON.stringify(body.subject)}`;
  tail += '}';
  const hash = sha256('sha256', head + tail, 'hex');
  // Built member by member: spreading `body` cost more than the rest of the sealing together.
  const record: AuditRecord = { key: body.key, actor: body.actor, action: body.action, data: body.data, seq: body.seq, at: body.at, prev: body.prev, hash };
  if (body.incidentId !== undefined) record.incidentId = body.incidentId;
  if (body.subject !== undefined) record.subject = body.subject;
  return { record, line: `${head},"hash":"${hash}"${tail}` };
}

/**
 * Whether a stored line, without its `hash` member, hashes to `hash`: then it is the canonical text that was hashed
 * when the record was sealed, and its values are the record's. Much cheaper than re-serialising; a line that fails
 * (not canonical, or tampered) must be checked the long way.
 */
export function lineCarriesHash(line: string, hash: string): boolean {
  const member = `,"hash":"${hash}"`;
  // The top-level member: members nested in `data` come earlier in the line.
  const at = line.lastIndexOf(member);
  return at > 0 && sha256('sha256', line.slice(0, at) + line.slice(at + member.length), 'hex') === hash;
}
