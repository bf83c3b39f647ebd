// file:// backend: objects are files under a root directory. Writes go to a temporary file
// that is flushed to disk and then renamed over the target, so a reader (or a crash) never
// sees a torn object. Exclusive create links a complete temporary file to the key, which
// fails atomically when the key exists. Files are 0600 and directories 0700: checkpoints
// hold ciphertexts and lock files name users and hosts. A file system error (a root that is
// not a directory, a file we may not read, a read-only or full disk) is a BackendError naming
// the path and what to do, never a raw errno.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BackendError } from '../errors.ts';
import type { BlobInfo, BlobStore } from './blob-store.ts';

const TEMP_SUFFIX = '.tmp';

export class FileBlobStore implements BlobStore {
  readonly url: string;
  readonly root: string;
  readonly stats = { bytesWritten: 0, writes: 0 };

  constructor(root: string, url: string) {
    this.root = root;
    this.url = url;
  }

  private path(key: string): string {
    if (key.split('/').some((part) => part === '..' || part === '')) throw new Error(`invalid object key '${key}'`);
    return join(this.root, ...key.split('/'));
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (err) {
      if (isCode(err, 'ENOENT') || isCode(err, 'EISDIR')) return undefined;
      throw await this.failure(err, 'read');
    }
  }

  /**
   * The directory `dir` and any missing parents, one level at a time. Not mkdir's `recursive`:
   * where the file system refuses a directory with ENOENT although its parent exists
   * (`/proc/self`), Node's recursive mkdir retries forever.
   */
  private async ensureDir(dir: string): Promise<void> {
    const missing: string[] = [];
    for (let d = dir; ; d = dirname(d)) {
      try {
        await stat(d);
        break;
      } catch (err) {
        if (!isCode(err, 'ENOENT') || dirname(d) === d) throw err;
        missing.push(d);
      }
    }
    for (const d of missing.reverse()) {
      try {
        await mkdir(d, { mode: 0o700 });
      } catch (err) {
        if (isCode(err, 'EEXIST')) continue;
        if (!isCode(err, 'ENOENT')) throw err;
        throw new BackendError(`the backend ${this.url}: cannot create the directory ${d}: its file system does not allow it (ENOENT)`, {
          hint: 'Point the backend at a directory on an ordinary file system.',
          cause: err,
        });
      }
    }
  }

  private async writeTemp(target: string, data: Buffer | string): Promise<string> {
    await this.ensureDir(dirname(target));
    const temp = join(dirname(target), `.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    const fh = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    this.stats.bytesWritten += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.stats.writes++;
    return temp;
  }

  async put(key: string, data: Buffer | string): Promise<void> {
    const target = this.path(key);
    try {
      const temp = await this.writeTemp(target, data);
      try {
        await rename(temp, target);
      } catch (err) {
        await unlink(temp).catch(() => {});
        throw err;
      }
    } catch (err) {
      throw await this.failure(err, 'write');
    }
    await syncDir(dirname(target));
  }

  async create(key: string, data: Buffer | string): Promise<boolean> {
    const target = this.path(key);
    try {
      const temp = await this.writeTemp(target, data);
      try {
        await link(temp, target);
        await syncDir(dirname(target));
        return true;
      } catch (err) {
        if (isCode(err, 'EEXIST')) return false;
        throw err;
      } finally {
        await unlink(temp).catch(() => {});
      }
    } catch (err) {
      throw await this.failure(err, 'write');
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await rm(this.path(key), { force: true });
    } catch (err) {
      throw await this.failure(err, 'delete');
    }
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    // The file system calls run on libuv's thread pool, a few at a time.
    await Promise.all(keys.map((k) => this.delete(k)));
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    // Walk the deepest directory that contains every key with this prefix.
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash);
    const start = dirKey ? this.path(dirKey) : this.root;
    const out: BlobInfo[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) return;
        throw await this.failure(err, 'list');
      }
      for (const e of entries) {
        const key = keyPrefix ? `${keyPrefix}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(join(dir, e.name), key);
        } else if (e.isFile() && key.startsWith(prefix) && !e.name.endsWith(TEMP_SUFFIX)) {
          try {
            const st = await stat(join(dir, e.name));
            out.push({ key, modified: st.mtime, size: st.size });
          } catch (err) {
            if (!isCode(err, 'ENOENT')) throw await this.failure(err, 'list'); // ENOENT: deleted while listing
          }
        }
      }
    };
    await walk(start, dirKey);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async copy(from: string, to: string): Promise<void> {
    const target = this.path(to);
    try {
      await this.ensureDir(dirname(target));
      const temp = `${target}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
      await copyFile(this.path(from), temp);
      const st = await stat(temp);
      this.stats.bytesWritten += st.size;
      this.stats.writes++;
      await rename(temp, target);
    } catch (err) {
      throw await this.failure(err, 'write');
    }
  }

  /** A file system error as one line naming the path and the cause, with what to do. */
  private async failure(err: unknown, action: 'read' | 'write' | 'delete' | 'list'): Promise<unknown> {
    const code = (err as NodeJS.ErrnoException | null)?.code;
    const path = (err as NodeJS.ErrnoException | null)?.path;
    if (!code || !path) return err;
    const root = `the backend ${this.url}`;
    const fail = (what: string, hint: string) => new BackendError(`${root}: ${what}`, { hint, cause: err });
    switch (code) {
      case 'ENOTDIR': {
        const file = await this.fileInTheWay(path);
        const aboveRoot = file === this.root || this.root.startsWith(`${file}/`);
        return aboveRoot
          ? fail(`${file} is not a directory`, 'Point the backend at a directory (file://PATH; it is created if missing).')
          : fail(`${file} is a file where the backend needs a directory`, `Move ${file} out of the way, or use another backend directory.`);
      }
      case 'EACCES':
      case 'EPERM':
        return fail(`permission denied to ${action} ${path}`, `Check the owner and mode of the backend directory and its files (we create them 0700/0600 for the user who ran the command), or run as that user.`);
      case 'EROFS':
        return fail(`cannot ${action} ${path}: the file system is read-only`, 'Use a backend directory on a writable file system.');
      case 'ENOSPC':
      case 'EDQUOT':
        return fail(`cannot ${action} ${path}: no space left (${code})`, 'Free some space on that file system; the stack keeps its last complete state.');
      case 'ELOOP':
        return fail(`cannot ${action} ${path}: too many levels of symbolic links`, 'Fix the symbolic links in the backend path.');
      case 'ENAMETOOLONG':
        return fail(`cannot ${action} ${path}: the path is too long`, 'Use a shorter backend path.');
      default:
        return fail(`cannot ${action} ${path}: ${code}`, 'Check the backend directory and its file system.');
    }
  }

  /** The first part of `path` (from the top) that exists and is not a directory. */
  private async fileInTheWay(path: string): Promise<string> {
    let p = '/';
    for (const part of path.split('/').filter(Boolean)) {
      p = join(p, part);
      try {
        if (!(await stat(p)).isDirectory()) return p;
      } catch {
        break;
      }
    }
    return path;
  }

  exclusiveCreateIsAtomic(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): void {}
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename itself durable; some file systems refuse fsync on directories.
  try {
    const fh = await open(dir, constants.O_RDONLY);
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* best effort */
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
