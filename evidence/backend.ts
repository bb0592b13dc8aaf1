import type { Readable } from 'node:stream';

/**
 * The stored bytes of one object as hashed just now. `bytes` streams exactly what was hashed, and is present only when
 * the hash matched the key (and, in a bucket, the object did not keep changing while it was read).
 */
export interface HashedObject {
  sha256: string;
  size: number;
  bytes?: Readable;
}

/**
 * Where the evidence store keeps bytes and records: a local folder or an S3-compatible bucket. The store owns the
 * meaning (schemas, custody rules); a backend only stores text and bytes, write-once where the contract says so.
 */
export interface EvidenceBackend {
  /**
   * Streams `content` in while hashing it and stores it under its SHA-256, never replacing an object already there.
   * Never holds the whole content in memory. Throws `evidence.too_large` past `maxBytes`, leaving nothing behind.
   */
  putObject(content: Readable | Buffer, maxBytes: number): Promise<{ sha256: string; size: number }>;
  /** Hashes the object stored under `sha256` (a missing one hashes as empty); see HashedObject. */
  readObject(sha256: string): Promise<HashedObject>;
  /** Creates the item record once; resolves `false` (writing nothing) when it already exists, so concurrent captures have one winner. */
  createItem(evidenceId: string, json: string): Promise<boolean>;
  /** The item record's text; undefined when there is none. */
  readItem(evidenceId: string): Promise<string | undefined>;
  /** Files the item under its incident for `listItems`; idempotent. */
  indexItem(incidentId: string, evidenceId: string): Promise<void>;
  listItems(incidentId: string): Promise<string[]>;
  /** Starts an item's custody trail with its first event, once; resolves `false` when the trail already exists. */
  startCustody(evidenceId: string, json: string): Promise<boolean>;
  /** Appends one event after every event already stored; concurrent appends both land, in some order. */
  appendCustody(evidenceId: string, json: string): Promise<void>;
  /** The trail's events, oldest first; empty when none was written. */
  readCustody(evidenceId: string): Promise<string[]>;
}
