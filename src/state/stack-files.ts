// Reading a stack's stored state as it is: the checkpoint (any version, compressed or not)
// with the journal of an unfinished update replayed over it. Nothing is decrypted here;
// `stacks list`, `info`, `export` and the lock-free reads work on this raw form.
import type { BlobStore } from './blob/blob-store.ts';
import { parseJson, readCheckpoint } from './checkpoint/checkpoint.ts';
import type { ParsedCheckpoint, RawDeployment } from './checkpoint/checkpoint.ts';
import type { JsonObject } from './checkpoint/resources.ts';
import { CheckpointError } from './errors.ts';
import { readHistory } from './history.ts';
import { checkpointHash, JOURNAL_VERSION, ResourceIndex } from './journal.ts';
import type { AnyRecord, JournalObject } from './journal.ts';
import { HISTORY_PREFIX, isValidStackName, keys, stackNameOfKey, STACKS_PREFIX } from './layout.ts';

export interface RawStack {
  name: string;
  /** The checkpoint object's key (`.json`, or `.json.gz`/`.json.zst` if Pulumi wrote one). */
  key: string;
  hash: string;
  parsed: ParsedCheckpoint;
  /** The deployment with the journal replayed (undefined: created, never updated). */
  latest: RawDeployment | undefined;
  /** Journal objects replayed over the checkpoint, and stale ones to clean up. */
  journalKeys: string[];
  staleJournalKeys: string[];
  journalRecords: number;
}

/** Where a key is, in words a user can act on: a local path, or an s3:// URL. */
export function locate(blob: BlobStore, key: string): string {
  const root = (blob as { root?: string }).root;
  if (root) return `${root}/${key}`;
  const m = /^s3:\/\/([^/?]+)\/?([^?]*)/.exec(blob.url);
  if (m) return `s3://${m[1]}/${m[2] ? `${m[2].replace(/\/+$/, '')}/` : ''}${key}`;
  return `${blob.url} ${key}`;
}

export async function checkpointKeyOf(blob: BlobStore, stack: string): Promise<string | undefined> {
  const base = keys.checkpoint(stack);
  const candidates = (await blob.list(base)).filter((o) => o.key === base || o.key === `${base}.gz` || o.key === `${base}.zst`);
  if (candidates.length === 0) return undefined;
  // As Pulumi: the most recently modified of .json / .json.gz / .json.zst.
  candidates.sort((a, b) => b.modified.getTime() - a.modified.getTime());
  return candidates[0]!.key;
}

/** The newest checkpoint copy in a stack's history that reads (of its 20 newest entries). */
export async function newestGoodCheckpoint(blob: BlobStore, stack: string): Promise<{ location: string; kind: string; time: Date } | undefined> {
  try {
    for (const h of await readHistory(blob, stack, 20)) {
      const bytes = await blob.get(h.checkpointKey);
      if (!bytes) continue;
      try {
        readCheckpoint(parseJson(bytes, h.checkpointKey), h.checkpointKey);
      } catch {
        continue;
      }
      return { location: locate(blob, h.checkpointKey), kind: h.kind, time: new Date(h.endTime * 1000) };
    }
  } catch {
    /* best effort: it only feeds hints */
  }
  return undefined;
}

/** How to restore `stack` from that checkpoint. */
export function restoreHint(stack: string, good: { location: string; kind: string; time: Date }): string {
  return [
    `The latest good checkpoint in the history is ${good.location} (${good.kind}, ${good.time.toISOString()}).`,
    `Restore it with: sloth-kubernetes stacks import ${stack} <that file> (download it first if it is in S3).`,
  ].join('\n');
}

/** The way back from a broken checkpoint, for error hints. */
export async function recoveryHint(blob: BlobStore, stack: string): Promise<string> {
  const lines: string[] = ['Nothing was changed.'];
  const bak = keys.checkpointBackup(stack);
  if (await blob.get(bak)) lines.push(`The previous checkpoint is kept at ${locate(blob, bak)}.`);
  const good = await newestGoodCheckpoint(blob, stack);
  lines.push(good ? restoreHint(stack, good) : 'No good checkpoint was found in the stack history.');
  return lines.join('\n');
}

/**
 * Stacks whose checkpoint is gone while their history still holds checkpoints (a deleted or
 * lost checkpoint file), with the way to restore each; `only` limits the search to one name.
 */
export async function lostStacks(blob: BlobStore, only?: string): Promise<{ stack: string; hint: string }[]> {
  const prefix = only ? keys.historyDir(only) : HISTORY_PREFIX;
  const names = new Set<string>();
  for (const o of await blob.list(prefix)) {
    const name = o.key.slice(HISTORY_PREFIX.length).split('/')[0];
    if (name && isValidStackName(name)) names.add(name);
  }
  const out: { stack: string; hint: string }[] = [];
  for (const stack of [...names].sort()) {
    if (await checkpointKeyOf(blob, stack)) continue;
    const good = await newestGoodCheckpoint(blob, stack);
    if (good) out.push({ stack, hint: restoreHint(stack, good) });
  }
  return out;
}

export async function readRawStack(blob: BlobStore, stack: string): Promise<RawStack | undefined> {
  const key = await checkpointKeyOf(blob, stack);
  if (!key) return undefined;
  const bytes = await blob.get(key);
  if (!bytes) return undefined;
  const location = locate(blob, key);
  let parsed: ParsedCheckpoint;
  try {
    parsed = readCheckpoint(parseJson(bytes, location), location);
  } catch (err) {
    if (err instanceof CheckpointError) throw new CheckpointError(location, err.message.slice(location.length + 2), await recoveryHint(blob, stack));
    throw err;
  }
  const hash = checkpointHash(bytes);
  const journal = await readJournal(blob, stack, hash);
  let latest = parsed.latest;
  if (journal.records.length > 0) {
    if (!latest) throw new CheckpointError(location, 'has journal entries but no deployment to apply them to', await recoveryHint(blob, stack));
    const index = new ResourceIndex<RawResource, RawPending>(latest.resources as RawResource[], latest.pending_operations as RawPending[]);
    index.apply(journal.records);
    const r = index.result();
    latest = { ...latest, resources: r.resources, pending_operations: r.pending };
  }
  return {
    name: stack,
    key,
    hash,
    parsed,
    latest,
    journalKeys: journal.keys,
    staleJournalKeys: journal.stale,
    journalRecords: journal.records.length,
  };
}

type RawResource = JsonObject & { urn: string; delete?: boolean };
type RawPending = JsonObject & { resource: RawResource; type: string };

async function readJournal(
  blob: BlobStore,
  stack: string,
  base: string,
): Promise<{ records: AnyRecord<RawResource>[]; keys: string[]; stale: string[] }> {
  const objects = await blob.list(keys.journalDir(stack));
  const records: AnyRecord<RawResource>[] = [];
  const used: string[] = [];
  const stale: string[] = [];
  for (const o of objects) {
    if (!o.key.endsWith('.json')) continue;
    const bytes = await blob.get(o.key);
    if (!bytes) continue;
    const location = locate(blob, o.key);
    const doc = parseJson(bytes, location) as Partial<JournalObject>;
    if (doc.version !== JOURNAL_VERSION || typeof doc.base !== 'string' || !Array.isArray(doc.records)) {
      throw new CheckpointError(location, 'is not a journal object this version of sloth-kubernetes understands');
    }
    if (doc.base !== base) {
      stale.push(o.key);
      continue;
    }
    for (const rec of doc.records) {
      if (!rec || typeof rec !== 'object' || !['put', 'mark-delete', 'remove', 'pending', 'settle'].includes(String(rec.op))) {
        throw new CheckpointError(location, `holds a malformed journal record`);
      }
      records.push(rec as unknown as AnyRecord<RawResource>);
    }
    used.push(o.key);
  }
  return { records, keys: used, stale };
}

export async function listStackNames(blob: BlobStore): Promise<string[]> {
  const names = new Set<string>();
  for (const o of await blob.list(STACKS_PREFIX)) {
    const n = stackNameOfKey(o.key);
    if (n) names.add(n);
  }
  return [...names].sort();
}
