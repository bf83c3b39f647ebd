// file:// backend: objects are files under a root directory. Writes go to a temporary file
// that is flushed to disk and then renamed over the target, so a reader (or a crash) never
// sees a torn object. Exclusive create links a complete temporary file to the key, which
// fails atomically when the key exists. Files are 0600 and directories 0700: checkpoints
// hold ciphertexts and lock files name users and hosts.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
      throw err;
    }
  }

  private async writeTemp(target: string, data: Buffer | string): Promise<string> {
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
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
    const temp = await this.writeTemp(target, data);
    try {
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
    await syncDir(dirname(target));
  }

  async create(key: string, data: Buffer | string): Promise<boolean> {
    const target = this.path(key);
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
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
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
        throw err;
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
            if (!isCode(err, 'ENOENT')) throw err; // deleted while listing
          }
        }
      }
    };
    await walk(start, dirKey);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async copy(from: string, to: string): Promise<void> {
    const target = this.path(to);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    const temp = `${target}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
    await copyFile(this.path(from), temp);
    const st = await stat(temp);
    this.stats.bytesWritten += st.size;
    this.stats.writes++;
    await rename(temp, target);
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
