import type { EvidenceBackend } from './backend';
import { EvidenceError } from './errors';
import { CustodyEvent } from './schema';

/**
 * Each item's append-only custody trail, one JSON document per event, on whichever backend holds the evidence. The
 * `collected` event creates the trail exclusively, so a retried capture can never record collection twice.
 */
export class CustodyTrail {
  constructor(private readonly backend: EvidenceBackend) {}

  /** Starts the trail with `collected`; resolves `false` (writing nothing) if it already exists. */
  start(event: CustodyEvent): Promise<boolean> {
    return this.backend.startCustody(event.evidenceId, JSON.stringify(event));
  }

  append(event: CustodyEvent): Promise<void> {
    return this.backend.appendCustody(event.evidenceId, JSON.stringify(event));
  }

  /** The whole trail, oldest first; empty if none was written. Throws `evidence.corrupt_record` on an unreadable event. */
  async read(evidenceId: string): Promise<CustodyEvent[]> {
    return (await this.backend.readCustody(evidenceId)).map((text, index) => {
      const parsed = CustodyEvent.safeParse(safeJson(text));
      if (!parsed.success) throw new EvidenceError('evidence.corrupt_record', 'unreadable custody event', { evidenceId, index });
      return parsed.data;
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
