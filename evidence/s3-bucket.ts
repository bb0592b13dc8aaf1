import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import type { EvidenceBackend, HashedObject } from './backend';
import { EvidenceError } from './errors';
import { spoolToFile } from './object-files';

const EMPTY_SHA256 = createHash('sha256').digest('hex');
/** Tries to append one custody event before giving up; only concurrent appends to the same item use more than one. */
const APPEND_ATTEMPTS = 20;
/** Hash-then-read passes before a read of an object that keeps changing is refused. */
const READ_PASSES = 3;

export interface S3BucketSettings {
  bucket: string;
  region: string;
  /** Absent: AWS S3 itself. */
  endpoint?: string;
  /** Path-style URLs (`<endpoint>/<bucket>/<key>`), which most self-hosted servers need. */
  forcePathStyle?: boolean;
  /** Prepended to every key, so one bucket can hold several stores. */
  prefix?: string;
  /** Resolved when the SDK signs a request; absent: the SDK's default chain (environment, instance role). */
  credentials?: () => Promise<{ accessKeyId: string; secretAccessKey: string }>;
  /** Uploads are spooled here while hashed, since the key is the hash and is known only at the end. */
  spoolDir: string;
  /** Object Lock retention for every object written (the bucket must have Object Lock enabled). */
  objectLock?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; days: number };
}

/**
 * Evidence in an S3-compatible bucket. Keys under the prefix: `objects/<sha256>` (bytes), `items/<id>.json`,
 * `custody/<id>/<seq>.json` (one object per event: S3 cannot append), `incidents/<digest of incident id>/<id>` (index).
 * Every write is conditional (`If-None-Match: *`), so nothing once written is replaced through this backend.
 */
export class S3BucketBackend implements EvidenceBackend {
  private readonly prefix: string;

  private constructor(
    private readonly client: S3Client,
    private readonly settings: S3BucketSettings,
  ) {
    this.prefix = settings.prefix ? settings.prefix.replace(/\/*$/, '/') : '';
  }

  /** Checks the bucket is reachable with these credentials; throws `evidence.store_unavailable` naming the bucket. */
  static async connect(settings: S3BucketSettings): Promise<S3BucketBackend> {
    const client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
      // Checksums are sent explicitly (SHA-256 on every PUT); the SDK's default CRC trailers aren't understood by every S3-compatible server.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    try {
      await client.send(new HeadBucketCommand({ Bucket: settings.bucket }));
    } catch (err) {
      client.destroy();
      throw new EvidenceError('evidence.store_unavailable', `evidence bucket ${settings.bucket} is not reachable (${errorName(err)})`, { bucket: settings.bucket, status: statusOf(err) });
    }
    await fs.mkdir(settings.spoolDir, { recursive: true, mode: 0o700 });
    return new S3BucketBackend(client, settings);
  }

  async putObject(content: Readable | Buffer, maxBytes: number): Promise<{ sha256: string; size: number }> {
    const spooled = await spoolToFile(this.settings.spoolDir, content, maxBytes);
    try {
      const key = this.key(`objects/${spooled.sha256}`);
      if (await this.exists(key)) return { sha256: spooled.sha256, size: spooled.size };
      // One PUT (up to 5 GiB) rather than multipart: only a single PUT lets the server check the whole object's SHA-256.
      await this.putOnce(key, () => createReadStream(spooled.path), Buffer.from(spooled.sha256, 'hex'), { ContentLength: spooled.size, ContentType: 'application/octet-stream' });
      return { sha256: spooled.sha256, size: spooled.size };
    } finally {
      await fs.unlink(spooled.path).catch(() => undefined);
    }
  }

  async readObject(sha256: string): Promise<HashedObject> {
    const Key = this.key(`objects/${sha256}`);
    let hashed: HashedObject = { sha256: EMPTY_SHA256, size: 0 };
    for (let pass = 0; pass < READ_PASSES; pass++) {
      const first = await this.get(Key);
      if (!first) return { sha256: EMPTY_SHA256, size: 0 };
      hashed = await hashStream(first.Body as Readable);
      if (hashed.sha256 !== sha256) return hashed;
      // Hand out a second read of the very version just hashed: If-Match refuses it if the object was replaced since.
      try {
        const second = await this.get(Key, first.ETag);
        if (!second) return { sha256: EMPTY_SHA256, size: 0 };
        return { ...hashed, bytes: second.Body as Readable };
      } catch (err) {
        if (statusOf(err) !== 412) throw err;
      }
    }
    return hashed;
  }

  createItem(evidenceId: string, json: string): Promise<boolean> {
    return this.putTextOnce(this.key(`items/${evidenceId}.json`), json);
  }

  async readItem(evidenceId: string): Promise<string | undefined> {
    return (await this.get(this.key(`items/${evidenceId}.json`)))?.Body?.transformToString('utf8');
  }

  async indexItem(incidentId: string, evidenceId: string): Promise<void> {
    await this.putTextOnce(this.key(`${incidentPrefix(incidentId)}${evidenceId}`), '', 'text/plain');
  }

  async listItems(incidentId: string): Promise<string[]> {
    const prefix = this.key(incidentPrefix(incidentId));
    return (await this.list(prefix)).map((key) => key.slice(prefix.length));
  }

  startCustody(evidenceId: string, json: string): Promise<boolean> {
    return this.putTextOnce(this.custodyKey(evidenceId, 0), json);
  }

  /** Takes the next free sequence number; a concurrent append that took it first sends this one to the next. */
  async appendCustody(evidenceId: string, json: string): Promise<void> {
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      const last = (await this.list(this.key(`custody/${evidenceId}/`))).at(-1);
      const next = last === undefined ? 0 : Number(/(\d{10})\.json$/.exec(last)?.[1]) + 1;
      if (await this.putTextOnce(this.custodyKey(evidenceId, next), json)) return;
    }
    throw new Error(`custody event for ${evidenceId} not stored after ${APPEND_ATTEMPTS} concurrent attempts`);
  }

  async readCustody(evidenceId: string): Promise<string[]> {
    const keys = await this.list(this.key(`custody/${evidenceId}/`));
    return Promise.all(keys.map(async (key) => (await this.get(key))?.Body?.transformToString('utf8') ?? ''));
  }

  private key(rest: string): string {
    return `${this.prefix}${rest}`;
  }

  /** Zero-padded, so the bucket's lexicographic listing is the trail's order. */
  private custodyKey(evidenceId: string, seq: number): string {
    return this.key(`custody/${evidenceId}/${String(seq).padStart(10, '0')}.json`);
  }

  /**
   * Creates `key` only if absent; resolves `false` when it already exists. `body` is called per attempt, as a stream
   * can be sent only once. A 409 means a concurrent conditional write was in flight: try again, then one of them won.
   * The SHA-256 lets the server refuse bytes damaged on the way, and Object Lock needs a checksum on every PUT.
   */
  private async putOnce(key: string, body: () => PutObjectCommandInput['Body'], sha256: Buffer, fields: Partial<PutObjectCommandInput>): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new PutObjectCommand({ Bucket: this.settings.bucket, Key: key, Body: body(), IfNoneMatch: '*', ChecksumAlgorithm: 'SHA256', ChecksumSHA256: sha256.toString('base64'), ...this.retention(), ...fields }),
        );
        return true;
      } catch (err) {
        if (statusOf(err) === 412) return false;
        if (statusOf(err) !== 409 || attempt >= 5) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
      }
    }
  }

  private putTextOnce(key: string, text: string, contentType = 'application/json'): Promise<boolean> {
    return this.putOnce(key, () => text, createHash('sha256').update(text, 'utf8').digest(), { ContentType: contentType, ContentLength: Buffer.byteLength(text, 'utf8') });
  }

  private retention(): Partial<PutObjectCommandInput> {
    const lock = this.settings.objectLock;
    if (!lock) return {};
    return { ObjectLockMode: lock.mode, ObjectLockRetainUntilDate: new Date(Date.now() + lock.days * 86_400_000) };
  }

  private async get(Key: string, IfMatch?: string) {
    try {
      return await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key, IfMatch }));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  private async exists(Key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key }));
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  /** Every key under `prefix`, in the bucket's (lexicographic) order. */
  private async list(Prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix, ContinuationToken }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys;
  }
}

function incidentPrefix(incidentId: string): string {
  return `incidents/${createHash('sha256').update(incidentId, 'utf8').digest('hex').slice(0, 32)}/`;
}

async function hashStream(body: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function errorName(err: unknown): string {
  return (err as Error).name || 'error';
}
