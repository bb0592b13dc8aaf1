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
 * Streams `content` into a new temp file in `tmpDir` while hashing it, and fsyncs it; the caller owns (and removes)
 * the file. Throws `evidence.too_large` past `maxBytes`, leaving nothing behind.
 */
export async function spoolToFile(tmpDir: string, content: Readable | Buffer, maxBytes: number): Promise<{ path: string; sha256: string; size: number }> {
  const tmp = join(tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
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
  return { path: tmp, sha256: hash.digest('hex'), size };
}

/**
 * Spools `content` to `<dir>/tmp`, then moves it into its content-addressed place. An existing object with that hash
 * is never rewritten (the move is a hard link, which refuses to replace). Throws `evidence.too_large` past `maxBytes`,
 * leaving nothing behind.
 */
export async function storeObject(dir: string, content: Readable | Buffer, maxBytes: number): Promise<{ sha256: string; size: number }> {
  const { path: tmp, sha256, size } = await spoolToFile(join(dir, 'tmp'), content, maxBytes);
  const target = objectPath(dir, sha256);
  try {
    await fs.mkdir(join(target, '..'), { recursive: true });
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
