import { z } from 'zod';

/** Who handled an item: a person, Firebreak itself, or the source system that produced it. */
export const Handler = z.strictObject({
  kind: z.enum(['person', 'system', 'source']),
  id: z.string().min(1).max(256),
});
export type Handler = z.infer<typeof Handler>;

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** What a caller supplies with the bytes. `key` is the idempotency key built in the workflow. */
export const EvidenceMeta = z.strictObject({
  key: z.string().min(1).max(512),
  incidentId: z.string().min(1).max(256),
  mediaType: z.string().regex(/^[\w.+-]+\/[\w.+-]+(;.*)?$/, 'a media type such as application/json'),
  name: z.string().min(1).max(256),
  /** Where it came from: a URI or a system name, e.g. `okta://acme/users/123` or `alertmanager`. */
  source: z.string().min(1).max(2048),
  /** How it was acquired, with tool and version, e.g. `api-export okta-client/1.4.2`. */
  method: z.string().min(1).max(512),
  collectedBy: Handler,
  /** When it was acquired, with an offset; defaults to now (UTC). */
  collectedAt: z.iso.datetime({ offset: true }).optional(),
  stepId: z.string().min(1).max(128).optional(),
  note: z.string().max(4096).optional(),
});
export type EvidenceMeta = z.infer<typeof EvidenceMeta>;

/** One stored evidence item. Written once; its bytes live at `objects/<aa>/<sha256>`. */
export const EvidenceItem = z.strictObject({
  evidenceId: z.string().regex(/^ev-[0-9a-f]{32}$/),
  incidentId: z.string().min(1),
  sha256: Sha256Hex,
  size: z.number().int().nonnegative(),
  mediaType: z.string().min(1),
  name: z.string().min(1),
  source: z.string().min(1),
  method: z.string().min(1),
  collectedBy: Handler,
  collectedAt: z.iso.datetime({ offset: true }),
  stepId: z.string().optional(),
  note: z.string().optional(),
});
export type EvidenceItem = z.infer<typeof EvidenceItem>;

/** One entry of an item's append-only custody trail: who did what, when (with offset) and why. */
export const CustodyEvent = z.strictObject({
  /** Unique and stable: use it as the audit-log key when mirroring the event there. */
  eventId: z.string().min(1),
  evidenceId: z.string(),
  event: z.enum(['collected', 'viewed', 'exported', 'handed-over', 'tamper-detected']),
  at: z.iso.datetime({ offset: true }),
  by: Handler,
  /** Why: the purpose of a view or export, the reason for a hand-over. */
  reason: z.string().max(2048),
  /** For `handed-over`: the receiving person or organisation. */
  to: z.string().min(1).max(512).optional(),
  /** The hash computed when the event happened; differs from the item's on `tamper-detected`. */
  sha256: Sha256Hex,
});
export type CustodyEvent = z.infer<typeof CustodyEvent>;
