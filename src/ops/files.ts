// Files a use case writes for its caller.
import { randomBytes } from 'node:crypto';
import { mkdir, open, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes `text` to `path` with mode 0600 from the first byte: it may hold credentials. */
export async function writePrivate(path: string, text: string): Promise<void> {
  const fh = await open(path, 'w', 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
}

/**
 * Replaces the file at `path` (through a symbolic link: the file it points at) with `text`,
 * mode 0600, atomically: a private file beside it is renamed over it, so a reader — or a
 * crash — sees the old content or the new, never half of either. Missing folders are made
 * (0700).
 */
export async function replacePrivate(path: string, text: string): Promise<void> {
  let target = path;
  try {
    target = await realpath(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  }
  const temp = join(dirname(target), `.${basename(target)}.sloth-${randomBytes(6).toString('hex')}`);
  const fh = await open(temp, 'wx', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(temp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
