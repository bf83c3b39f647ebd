// Stack locks. Pulumi's DIY lock (STATE-FORMAT.md §6.1) is a `<uuid>.json` object in
// `.pulumi/locks/organization/<project>/<stack>/`, taken by list–write–list, which is not
// atomic. Ours is one object in that same directory whose name is fixed per stack (a
// name-based UUID), created exclusively: `link()` on a file system, a PUT with
// `If-None-Match: *` on S3. Exactly one contender wins; the others get the holder's name.
// Because it sits where Pulumi looks, the Pulumi CLI sees the stack as locked too, and
// `pulumi cancel` / `stacks cancel` (delete everything in the directory) release it.
//
// Second line of defence: after creating it we list the directory (a lock written by the
// Pulumi CLI makes us back off) and read our object back. On S3 servers that ignore
// If-None-Match (s3rver does), detected once per store by a probe, we use Pulumi's own
// list–write–list protocol with a random `<uuid>.json`, which never admits two writers on a
// store with read-after-write listing, and retry after a random pause when contenders
// collide so that one of them gets through.
import { createHash, randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobStore } from './blob/blob-store.ts';
import { StackLockedError } from './errors.ts';
import type { LockHolder } from './errors.ts';
import { keys } from './layout.ts';
import type { LockInfo } from './types.ts';

interface LockFile extends LockInfo {
  /** Ours only: which contender wrote it (Pulumi ignores unknown fields). */
  lockID?: string;
}

export interface HeldLock {
  readonly key: string;
  readonly info: LockFile;
  /** True while our lock object is still in place (stacks cancel removes it). */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

export function mutexKey(stack: string): string {
  const h = createHash('sha256').update(`sloth-kubernetes lock\0${stack}`).digest('hex');
  const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  return `${keys.lockDir(stack)}${uuid}.json`;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function lockInfo(lockID: string): LockFile {
  return { pid: process.pid, username: currentUser(), hostname: hostname(), timestamp: new Date().toISOString(), lockID };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds the stack's lock(s); empty when unlocked. Unreadable lock files still count. */
export async function lockHolders(blob: BlobStore, stack: string): Promise<LockHolder[]> {
  const objects = await blob.list(keys.lockDir(stack));
  const holders: LockHolder[] = [];
  const seenIds = new Set<string>();
  for (const o of objects) {
    const bytes = await blob.get(o.key);
    if (!bytes) continue; // released meanwhile
    let info: Partial<LockFile> = {};
    try {
      info = JSON.parse(bytes.toString('utf8')) as Partial<LockFile>;
    } catch {
      /* unreadable: still a lock */
    }
    if (info.lockID) {
      if (seenIds.has(info.lockID)) continue;
      seenIds.add(info.lockID);
    }
    const pid = typeof info.pid === 'number' ? info.pid : 0;
    const host = typeof info.hostname === 'string' ? info.hostname : '';
    holders.push({
      pid,
      username: typeof info.username === 'string' ? info.username : '',
      hostname: host,
      timestamp: typeof info.timestamp === 'string' ? info.timestamp : o.modified.toISOString(),
      stale: pid > 0 && host === hostname() && !pidAlive(pid),
    });
  }
  return holders;
}

async function locked(blob: BlobStore, stack: string): Promise<StackLockedError> {
  const holders = await lockHolders(blob, stack);
  return new StackLockedError(stack, holders.length ? holders : [{ pid: 0, username: '', hostname: '', timestamp: 'just now', stale: false }]);
}

function held(blob: BlobStore, key: string, info: LockFile): HeldLock {
  return {
    key,
    info,
    async stillHeld() {
      const bytes = await blob.get(key);
      if (!bytes) return false;
      try {
        return (JSON.parse(bytes.toString('utf8')) as LockFile).lockID === info.lockID;
      } catch {
        return false;
      }
    },
    async release() {
      // Never delete a lock someone else took after `stacks cancel` removed ours.
      if (await this.stillHeld()) await blob.delete(key);
    },
  };
}

export async function acquireLock(blob: BlobStore, stack: string): Promise<HeldLock> {
  const lockID = randomUUID();
  const info = lockInfo(lockID);
  const body = JSON.stringify(info);
  if (await blob.exclusiveCreateIsAtomic()) {
    const key = mutexKey(stack);
    if (!(await blob.create(key, body))) throw await locked(blob, stack);
    const lock = held(blob, key, info);
    const others = (await blob.list(keys.lockDir(stack))).filter((o) => o.key !== key);
    if (others.length > 0 || !(await lock.stillHeld())) {
      await lock.release();
      throw await locked(blob, stack);
    }
    return lock;
  }
  const key = `${keys.lockDir(stack)}${lockID}.json`;
  for (let attempt = 0; ; attempt++) {
    if ((await blob.list(keys.lockDir(stack))).length > 0) throw await locked(blob, stack);
    await blob.put(key, body);
    const others = (await blob.list(keys.lockDir(stack))).filter((o) => o.key !== key);
    if (others.length === 0) return held(blob, key, info);
    await blob.delete(key);
    if (attempt >= 4) throw await locked(blob, stack);
    await sleep(20 + Math.random() * 200 * (attempt + 1));
  }
}

/** Removes every lock object of the stack (Pulumi's `cancel`); returns who held them. */
export async function cancelLocks(blob: BlobStore, stack: string): Promise<LockHolder[]> {
  const holders = await lockHolders(blob, stack);
  await blob.deleteMany((await blob.list(keys.lockDir(stack))).map((o) => o.key));
  return holders;
}
