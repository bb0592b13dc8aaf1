import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { EvidenceBackend, HashedObject } from './backend';
import { hashOpenFile, objectPath, storeObject, writeOnce } from './object-files';

const EMPTY_SHA256 = createHash('sha256').digest('hex');

/**
 * Evidence in a local folder. Layout: `objects/<aa>/<sha256>` (bytes, read-only), `items/<id>.json`,
 * `custody/<id>.jsonl`, `incidents/<digest of incident id>/<id>` (index), `tmp/`.
 */
export class LocalFilesBackend implements EvidenceBackend {
  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<LocalFilesBackend> {
    for (const sub of ['objects', 'items', 'custody', 'incidents', 'tmp']) {
      await fs.mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
    }
    return new LocalFilesBackend(dir);
  }

  putObject(content: Readable | Buffer, maxBytes: number): Promise<{ sha256: string; size: number }> {
    return storeObject(this.dir, content, maxBytes);
  }

  async readObject(sha256: string): Promise<HashedObject> {
    const fh = await fs.open(objectPath(this.dir, sha256), 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!fh) return { sha256: EMPTY_SHA256, size: 0 };
    // Hash and stream through one file handle, so a swap of the file after checking can't slip in.
    const hashed = await hashOpenFile(fh);
    if (hashed.sha256 !== sha256) {
      await fh.close();
      return hashed;
    }
    return { ...hashed, bytes: fh.createReadStream({ start: 0 }) };
  }

  createItem(evidenceId: string, json: string): Promise<boolean> {
    return writeOnce(this.itemPath(evidenceId), `${json}\n`, 0o444);
  }

  readItem(evidenceId: string): Promise<string | undefined> {
    return readIfExists(this.itemPath(evidenceId));
  }

  async indexItem(incidentId: string, evidenceId: string): Promise<void> {
    await fs.mkdir(this.incidentDir(incidentId), { recursive: true, mode: 0o700 });
    await fs.writeFile(join(this.incidentDir(incidentId), evidenceId), '');
  }

  async listItems(incidentId: string): Promise<string[]> {
    try {
      return await fs.readdir(this.incidentDir(incidentId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** The trail file is created exclusively, so a retried capture can never record collection twice. */
  startCustody(evidenceId: string, json: string): Promise<boolean> {
    return writeOnce(this.custodyPath(evidenceId), `${json}\n`, 0o600);
  }

  /** Small single-line appends with O_APPEND don't interleave; fsynced before resolving. */
  async appendCustody(evidenceId: string, json: string): Promise<void> {
    const fh = await fs.open(this.custodyPath(evidenceId), 'a', 0o600);
    try {
      await fh.appendFile(`${json}\n`, 'utf8');
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }

  async readCustody(evidenceId: string): Promise<string[]> {
    const text = await readIfExists(this.custodyPath(evidenceId));
    return (text ?? '').split('\n').filter((line) => line.length > 0);
  }

  private itemPath(evidenceId: string): string {
    return join(this.dir, 'items', `${evidenceId}.json`);
  }

  private custodyPath(evidenceId: string): string {
    return join(this.dir, 'custody', `${evidenceId}.jsonl`);
  }

  private incidentDir(incidentId: string): string {
    return join(this.dir, 'incidents', createHash('sha256').update(incidentId, 'utf8').digest('hex').slice(0, 32));
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
