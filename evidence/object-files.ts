import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { EvidenceError } from './errors';

/** Where the bytes with this hash live: `<dir>/objects/<first two hex>/<sha256>`. */
export function objectPath(dir: string, sha256: string): string {
  return join(dir, 'objects', sha256.slice(0, 2), sha256);
}

/**
 * Streams `content` to a temp file while hashing it, fsyncs, then moves it into its
 * content-addressed place. An existing object with that hash is never rewritten (the move
 * is a hard link, which refuses to replace). Throws `evidence.too_large` past `maxBytes`,
 * leaving nothing behind.
 */
export async function storeObject(dir: string, content: Readable | Buffer, maxBytes: number): Promise<{ sha256: string; size: number }> {
  const tmp = join(dir, 'tmp', `${Date.now()}-${randomBytes(8).toString('hex')}`);
  const fh = await fs.open(tmp, 'wx', 0o600);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of Buffer.isBuffer(content) ? [content] : (content as AsyncIterable<Buffer | string>)) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > maxBytes) throw new EvidenceError('evidence.too_large', 'evidence exceeds the size limit', { maxBytes });
      hash.update(bytes);
      await fh.write(bytes);
    }
    await fh.sync();
  } catch (err) {
    if (!Buffer.isBuffer(content)) content.destroy();
    await fh.close();
    await fs.unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  const sha256 = hash.digest('hex');
  const target = objectPath(dir, sha256);
  await fs.mkdir(join(target, '..'), { recursive: true });
  try {
    await fs.link(tmp, target);
    await fs.chmod(target, 0o444);
    await syncDir(join(target, '..'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
  return { sha256, size };
}

/** Hashes an already open file from its start without closing it. */
export async function hashOpenFile(fh: FileHandle): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fh.createReadStream({ start: 0, autoClose: false }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Writes `text` to `path` only if nothing is there yet, atomically (readers never see a
 * half-written file) and durably. Resolves `false` when the path already existed.
 */
export async function writeOnce(path: string, text: string, mode: number): Promise<boolean> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await fs.open(tmp, 'wx', mode);
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.link(tmp, path);
    await syncDir(join(path, '..'));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
}

export async function syncDir(dir: string): Promise<void> {
  const dh = await fs.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
