import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { EvidenceBackend } from './backend';
import { CustodyTrail } from './custody-trail';
import { EvidenceError } from './errors';
import { LocalFilesBackend } from './local-files';
import { CustodyEvent, EvidenceItem, EvidenceMeta, Handler } from './schema';

export interface EvidenceStoreOptions {
  /** Largest item accepted, in bytes (default 512 MiB). */
  maxBytes?: number;
  /**
   * Called after each custody event is on disk, to mirror it into the audit log (use
   * `event.eventId` as the audit key). Called again for `collected` when a capture is retried,
   * so a mirror that failed the first time catches up.
   */
  onCustodyEvent?: (event: CustodyEvent, item: EvidenceItem) => Promise<void> | void;
  now?: () => Date;
}

/** The evidence id a capture with this idempotency key gets: `ev-` + 32 hex chars. */
export function evidenceIdFor(key: string): string {
  return `ev-${createHash('sha256').update(`firebreak.evidence\0${key}`, 'utf8').digest('hex').slice(0, 32)}`;
}

/**
 * Content-addressed, write-once evidence with a custody trail per item, kept by a backend (a local folder or an
 * S3-compatible bucket).
 */
export class EvidenceStore {
  private readonly custodyTrail: CustodyTrail;

  constructor(
    private readonly backend: EvidenceBackend,
    private readonly opts: EvidenceStoreOptions = {},
  ) {
    this.custodyTrail = new CustodyTrail(backend);
  }

  /** The store in the local folder `dir`. */
  static async open(dir: string, opts: EvidenceStoreOptions = {}): Promise<EvidenceStore> {
    return new EvidenceStore(await LocalFilesBackend.open(dir), opts);
  }

  /**
   * Stores the bytes and their metadata once per `meta.key`: a retried capture returns the
   * item stored the first time (its content is not read again). Throws `evidence.invalid_meta`
   * or `evidence.too_large`.
   */
  async put(content: Readable | Buffer, meta: EvidenceMeta): Promise<EvidenceItem> {
    const parsed = EvidenceMeta.safeParse(meta);
    if (!parsed.success) {
      if (!Buffer.isBuffer(content)) content.destroy();
      throw new EvidenceError('evidence.invalid_meta', 'invalid evidence metadata', { paths: parsed.error.issues.map((i) => i.path.join('.')) });
    }
    const evidenceId = evidenceIdFor(parsed.data.key);
    const existing = await this.find(evidenceId);
    if (existing) {
      if (!Buffer.isBuffer(content)) content.destroy();
      await this.recordCollection(existing);
      return existing;
    }
    const { sha256, size } = await this.backend.putObject(content, this.opts.maxBytes ?? 512 * 1024 * 1024);
    const { key: _key, ...described } = parsed.data;
    const item: EvidenceItem = { ...described, evidenceId, sha256, size, collectedAt: parsed.data.collectedAt ?? this.now() };
    // The item record is the commit point; a concurrent capture with the same key loses here and returns the winner.
    const created = await this.backend.createItem(evidenceId, JSON.stringify(item));
    const stored = created ? item : await this.get(evidenceId);
    await this.recordCollection(stored);
    return stored;
  }

  /** The item's metadata. Throws `evidence.not_found`. */
  async get(evidenceId: string): Promise<EvidenceItem> {
    const item = await this.find(evidenceId);
    if (!item) throw new EvidenceError('evidence.not_found', 'no such evidence item', { evidenceId });
    return item;
  }

  /**
   * Re-verifies the stored bytes against the recorded SHA-256, records a `viewed` (or
   * `exported`) custody event, and returns a stream of the bytes. When they no longer match,
   * records `tamper-detected` and throws `evidence.tampered` instead. Throws `evidence.not_found`.
   */
  async open(evidenceId: string, actor: Handler, purpose: string, opts: { event?: 'viewed' | 'exported' } = {}): Promise<Readable> {
    const item = await this.get(evidenceId);
    const actual = await this.backend.readObject(item.sha256);
    if (!actual.bytes || actual.sha256 !== item.sha256 || actual.size !== item.size) {
      actual.bytes?.destroy();
      await this.addEvent(item, { event: 'tamper-detected', by: actor, reason: purpose, sha256: actual.sha256 });
      throw new EvidenceError('evidence.tampered', 'stored evidence no longer matches its hash', { evidenceId, expected: item.sha256, actual: actual.sha256 });
    }
    await this.addEvent(item, { event: opts.event ?? 'viewed', by: actor, reason: purpose, sha256: actual.sha256 }).catch((err: unknown) => {
      actual.bytes!.destroy();
      throw err;
    });
    return actual.bytes;
  }

  /** Records a transfer of custody (to a person or organisation, with the reason). Throws `evidence.not_found`. */
  async handOver(evidenceId: string, actor: Handler, transfer: { to: string; reason: string }): Promise<CustodyEvent> {
    const item = await this.get(evidenceId);
    return this.addEvent(item, { event: 'handed-over', by: actor, reason: transfer.reason, to: transfer.to, sha256: item.sha256 });
  }

  /** The item's custody trail, oldest first. */
  async custody(evidenceId: string): Promise<CustodyEvent[]> {
    await this.get(evidenceId);
    return this.custodyTrail.read(evidenceId);
  }

  /** Every item of an incident, ordered by collection time. */
  async listEvidence(incidentId: string): Promise<EvidenceItem[]> {
    const ids = await this.backend.listItems(incidentId);
    const items = await Promise.all(ids.map((id) => this.get(id)));
    return items.sort((a, b) => Date.parse(a.collectedAt) - Date.parse(b.collectedAt) || a.evidenceId.localeCompare(b.evidenceId));
  }

  private async recordCollection(item: EvidenceItem): Promise<void> {
    await this.backend.indexItem(item.incidentId, item.evidenceId);
    const collected: CustodyEvent = {
      eventId: `${item.evidenceId}/collected`,
      evidenceId: item.evidenceId,
      event: 'collected',
      at: item.collectedAt,
      by: item.collectedBy,
      reason: item.stepId ? `captured by step ${item.stepId}` : 'captured',
      sha256: item.sha256,
    };
    const started = await this.custodyTrail.start(collected);
    const event = started ? collected : (await this.custodyTrail.read(item.evidenceId))[0] ?? collected;
    await this.opts.onCustodyEvent?.(event, item);
  }

  private async addEvent(item: EvidenceItem, fields: Omit<CustodyEvent, 'eventId' | 'evidenceId' | 'at'>): Promise<CustodyEvent> {
    const event: CustodyEvent = { eventId: `${item.evidenceId}/${fields.event}/${randomUUID()}`, evidenceId: item.evidenceId, at: this.now(), ...fields };
    await this.custodyTrail.append(event);
    await this.opts.onCustodyEvent?.(event, item);
    return event;
  }

  private async find(evidenceId: string): Promise<EvidenceItem | undefined> {
    if (!/^ev-[0-9a-f]{32}$/.test(evidenceId)) return undefined;
    const text = await this.backend.readItem(evidenceId);
    if (text === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = EvidenceItem.safeParse(json);
    if (!parsed.success) throw new EvidenceError('evidence.corrupt_record', 'unreadable evidence item', { evidenceId });
    return parsed.data;
  }

  private now(): string {
    return (this.opts.now?.() ?? new Date()).toISOString();
  }
}
