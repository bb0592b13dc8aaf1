import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Appends and syncs; the caller learns of success only once the bytes survive a power cut. */
export async function appendDurably(fh: FileHandle, bytes: Buffer): Promise<void> {
  // O_APPEND: every write lands at the current end, even after a torn tail was truncated by path.
  await fh.appendFile(bytes);
  // fdatasync is enough: it also flushes the size change an append makes.
  await fh.datasync();
}

/** Creates the files if missing and fsyncs the directory, so their names survive a crash too. */
export async function createDurably(dir: string, files: string[]): Promise<void> {
  for (const file of files) await (await fs.open(file, 'a', 0o600)).close();
  const dh = await fs.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
