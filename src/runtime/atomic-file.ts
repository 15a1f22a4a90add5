/**
 * Writing a file that holds a token: mode 0600 from the first byte, and atomically (a temp
 * file in the same directory, fsync, rename), so that a reader never sees half a file and a
 * crash leaves either the old file or the new one.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes `content` to `path` atomically with mode 0600 (or `mode`). */
export async function writeFileAtomic(path: string, content: string, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.chmod(mode); // the umask may have narrowed or the file system widened it
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(temp, path);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  // Make the rename itself durable.
  const dirHandle = await fs.open(dir, 'r').catch(() => undefined);
  if (dirHandle) {
    await dirHandle.sync().catch(() => undefined);
    await dirHandle.close();
  }
}

/**
 * Why a token file may not be written where `stat` (an lstat of the path) says something is:
 * undefined when nothing is there or a regular file. A symbolic link would be replaced by the
 * rename (leaving its target as it was, and a token where the link was), and a device or FIFO
 * (`/dev/stdout`) cannot be written atomically: both are refused.
 */
export function tokenFileProblem(stat: Stats | undefined): string | undefined {
  if (!stat || stat.isFile()) return undefined;
  return stat.isSymbolicLink()
    ? 'it is a symbolic link: give the path of a regular file'
    : 'it is not a regular file: give the path of one (for standard output, -o token or -o kubeconfig without --out)';
}
