import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The file operations the journal needs to be durable, in plain `fs` so they work on the Windows
 * desk PCs as on Linux.
 */

/**
 * Codes with which an OS refuses to open or fsync a directory. Windows cannot open a directory
 * as a file at all (EISDIR/EPERM/EACCES): there NTFS journals its metadata, so a rename or a new
 * file name is durable without it; some Linux file systems answer EINVAL.
 */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(['EPERM', 'EISDIR', 'EACCES', 'EINVAL', 'ENOTSUP', 'EBADF']);

/** Makes a directory's entries (a new, renamed or deleted file name) durable where the OS allows. */
export async function fsyncDirectory(dir: string): Promise<'synced' | 'unsupported'> {
  if (process.platform === 'win32') {
    return 'unsupported';
  }
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
    return 'synced';
  } catch (error) {
    if (DIRECTORY_SYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) {
      return 'unsupported';
    }
    throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Replaces `path` with `content` atomically: a reader (or a crash) sees the old file or the new
 * one, never half of either. Temp file written and fsynced, renamed over the target, directory
 * fsynced. Windows refuses a rename over a file another process (an antivirus scanner) holds open
 * with EPERM/EBUSY for a moment: retried a few times before giving up.
 */
export async function writeFileAtomically(
  path: string,
  content: string | Buffer,
  options: { mode?: number } = {},
): Promise<void> {
  const temp = `${path}.tmp`;
  // Created with its final mode: a secret is never readable by others, not even for a moment.
  await fs.rm(temp, { force: true });
  const handle = await fs.open(temp, 'w', options.mode ?? 0o666);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await renameWithRetry(temp, path);
  await fsyncDirectory(dirname(path));
}

const RENAME_RETRY_CODES = new Set(['EPERM', 'EBUSY', 'EACCES']);

async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await fs.rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (process.platform !== 'win32' || !RENAME_RETRY_CODES.has(code) || attempt >= 10) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, attempt * 20));
    }
  }
}
