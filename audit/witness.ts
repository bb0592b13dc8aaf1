import { z } from 'zod';
import { HexHash } from './record';

/** The log's size and the hash of its last record, as one writer saw them right after its records were on disk. */
export const AuditHead = z.strictObject({
  size: z.number().int().positive(),
  hash: HexHash,
});
export type AuditHead = z.infer<typeof AuditHead>;

/**
 * A head recorded somewhere the audit directory's owner does not control (Temporal history: the `incident.publish`
 * activity's result), with where it was found, so a failed check can name the incident that saw the missing records.
 */
export const WitnessedHead = AuditHead.extend({
  incidentId: z.string().min(1),
  runId: z.string().min(1).optional(),
});
export type WitnessedHead = z.infer<typeof WitnessedHead>;

/** What a witness answered: every distinct head it holds, and how many workflow runs it read them from. */
export const WitnessReport = z.strictObject({
  source: z.string().min(1),
  runs: z.number().int().nonnegative(),
  /** Runs whose history could not be read (e.g. encrypted with a payload key this service no longer holds). */
  unreadableRuns: z.number().int().nonnegative().default(0),
  heads: z.array(WitnessedHead),
});
export type WitnessReport = z.infer<typeof WitnessReport>;

/** Keeps one head per size (the first seen) unless two disagree, which is itself evidence worth keeping. */
export function distinctHeads(heads: Iterable<WitnessedHead>): WitnessedHead[] {
  const bySize = new Map<number, WitnessedHead[]>();
  for (const head of heads) {
    const known = bySize.get(head.size) ?? [];
    if (!known.some((k) => k.hash === head.hash)) known.push(head);
    bySize.set(head.size, known);
  }
  return [...bySize.values()].flat().sort((a, b) => a.size - b.size);
}
