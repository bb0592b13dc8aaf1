import { constants, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * Opens `path` for durable appends, creating it if missing. O_APPEND: every write lands at the current end, even after
 * a torn tail was truncated by path. O_DSYNC: a write returns only once its bytes and the size change are on stable
 * storage, as if followed by fdatasync, in one system call and one threadpool hop instead of two.
 */
export function openDurableAppend(path: string): Promise<FileHandle> {
  return fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC, 0o600);
}

/** Appends `bytes` to a file from `openDurableAppend`; resolves only once all of them survive a power cut. */
export async function appendDurably(fh: FileHandle, bytes: Buffer): Promise<void> {
  // A regular file takes a whole write unless the disk fills or a signal lands mid-way: the rest then goes after it.
  for (let at = 0; at < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, at, bytes.length - at);
    // Never for a regular file that is not full (that is an error, ENOSPC); rather an error than a spin.
    if (bytesWritten === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    at += bytesWritten;
  }
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
