import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CustodyTrail } from './custody-trail';
import { EvidenceError } from './errors';
import { hashOpenFile, objectPath, storeObject, writeOnce } from './object-files';
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
 * Content-addressed, write-once evidence on the local file system, with a custody trail per
 * item. Layout: `objects/<aa>/<sha256>` (bytes, read-only), `items/<id>.json`,
 * `custody/<id>.jsonl`, `incidents/<digest of incident id>/<id>` (index), `tmp/`.
 */
export class EvidenceStore {
  private readonly custodyTrail: CustodyTrail;

  private constructor(
    private readonly dir: string,
    private readonly opts: EvidenceStoreOptions,
  ) {
    this.custodyTrail = new CustodyTrail(dir);
  }

  static async open(dir: string, opts: EvidenceStoreOptions = {}): Promise<EvidenceStore> {
    for (const sub of ['objects', 'items', 'custody', 'incidents', 'tmp']) {
      await fs.mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
    }
    return new EvidenceStore(dir, opts);
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
    const { sha256, size } = await storeObject(this.dir, content, this.opts.maxBytes ?? 512 * 1024 * 1024);
    const { key: _key, ...described } = parsed.data;
    const item: EvidenceItem = { ...described, evidenceId, sha256, size, collectedAt: parsed.data.collectedAt ?? this.now() };
    // The item file is the commit point; a concurrent capture with the same key loses here and returns the winner.
    const created = await writeOnce(this.itemPath(evidenceId), `${JSON.stringify(item)}\n`, 0o444);
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
    // Hash and stream through one file handle, so a swap of the file after checking can't slip in.
    const fh = await fs.open(objectPath(this.dir, item.sha256), 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    const actual = fh ? await hashOpenFile(fh) : { sha256: createHash('sha256').digest('hex'), size: 0 };
    if (!fh || actual.sha256 !== item.sha256 || actual.size !== item.size) {
      await fh?.close();
      await this.addEvent(item, { event: 'tamper-detected', by: actor, reason: purpose, sha256: actual.sha256 });
      throw new EvidenceError('evidence.tampered', 'stored evidence no longer matches its hash', { evidenceId, expected: item.sha256, actual: actual.sha256 });
    }
    await this.addEvent(item, { event: opts.event ?? 'viewed', by: actor, reason: purpose, sha256: actual.sha256 });
    return fh.createReadStream({ start: 0 });
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
    let ids: string[];
    try {
      ids = await fs.readdir(this.incidentDir(incidentId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const items = await Promise.all(ids.map((id) => this.get(id)));
    return items.sort((a, b) => Date.parse(a.collectedAt) - Date.parse(b.collectedAt) || a.evidenceId.localeCompare(b.evidenceId));
  }

  private async recordCollection(item: EvidenceItem): Promise<void> {
    await fs.mkdir(this.incidentDir(item.incidentId), { recursive: true, mode: 0o700 });
    await fs.writeFile(join(this.incidentDir(item.incidentId), item.evidenceId), '');
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
    let text: string;
    try {
      text = await fs.readFile(this.itemPath(evidenceId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
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

  private itemPath(evidenceId: string): string {
    return join(this.dir, 'items', `${evidenceId}.json`);
  }

  private incidentDir(incidentId: string): string {
    return join(this.dir, 'incidents', createHash('sha256').update(incidentId, 'utf8').digest('hex').slice(0, 32));
  }

  private now(): string {
    return (this.opts.now?.() ?? new Date()).toISOString();
  }
}
