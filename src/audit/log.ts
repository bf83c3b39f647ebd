// The audit log of one stack: append-only, hash-chained batches of events stored next to the
// checkpoint (`audit/batches/<seq>.json`). Each batch names the SHA-256 of the batch before it
// and is created with the backend's exclusive create, so concurrent appenders (read-only
// commands take no lock) never fork the chain: the loser re-reads the head and tries the next
// number. Events are sealed to the stack's audit key (see sealed-box.ts); a command that holds
// the stack's secrets also authenticates its batch with them, which an appender holding only
// the public key cannot forge.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ForeignRecordError } from '../state/index.ts';
import type { StackAttachments } from '../state/index.ts';
import { generateAuditKeyPair, keyFingerprint, open, seal, SEAL_ALGORITHM } from './sealed-box.ts';
import type { AuditKeyPair, Sealed } from './sealed-box.ts';
import type { AuditEvent } from './types.ts';

const KEY_NAME = 'audit/key.json';
const BATCH_DIR = 'audit/batches/';
/** Where a recent head is noted, to spare appends a listing (a hint only: see head()). */
const HEAD_HINT = 'audit/head.json';
const BATCH_VERSION = 1;
/** How long an appender keeps trying for the next number under contention. */
const APPEND_PATIENCE_MS = 60_000;

export const batchName = (seq: number): string => `${BATCH_DIR}${String(seq).padStart(12, '0')}.json`;

/** Why the log cannot be written or read; a user error (exit 1) with what to do. */
export class AuditError extends Error {
  readonly exitCode = 1;
  readonly hint?: string;
  /** 'no-key': the stack has no audit key and this command cannot make one (no secrets). */
  readonly code?: 'no-key';
  constructor(message: string, hint?: string, code?: 'no-key') {
    super(message);
    this.name = 'AuditError';
    this.hint = hint;
    this.code = code;
  }
}

interface KeyRecord {
  version: 1;
  algorithm: string;
  publicKey: string;
  /** The private key, encrypted with the stack's secrets provider. */
  privateKey: string;
  createdAt: string;
}

/** A batch as stored (the sealed events are opaque without the private key). */
export interface StoredBatch {
  version: number;
  seq: number;
  prev: string;
  writtenAt: string;
  count: number;
  /** Fingerprint of the key the events are sealed to. */
  key: string;
  sealed: Sealed;
  /** The header digest encrypted with the stack's secrets: absent when appended without them. */
  auth?: string;
}

export interface BatchRef {
  seq: number;
  /** SHA-256 (hex) of the stored bytes. */
  hash: string;
}

export interface OpenedBatch extends BatchRef {
  prev: string;
  writtenAt: string;
  authenticated: boolean;
  events: AuditEvent[];
}

/** The chain's anchor kept in the checkpoint (root output `auditIndex`). */
export interface AuditAnchor {
  seq: number;
  hash: string;
  key: string;
  /**
   * The last batch `audit prune` removed, and its hash: written by the prune (which holds the
   * stack's secrets) in the same checkpoint as the head it moved to, and carried forward.
   */
  pruned?: PrunePoint;
}

export interface PrunePoint {
  through: number;
  hash: string;
}

/** The anchor as stored in the checkpoint, or undefined when the value is not one. */
export function anchorOf(value: unknown): AuditAnchor | undefined {
  const a = value as Partial<AuditAnchor> | null | undefined;
  if (!a || typeof a !== 'object' || typeof a.seq !== 'number' || typeof a.hash !== 'string' || typeof a.key !== 'string') return undefined;
  const p = a.pruned;
  const pruned = p && typeof p === 'object' && Number.isInteger(p.through) && typeof p.hash === 'string' ? { through: p.through, hash: p.hash } : undefined;
  return { seq: a.seq, hash: a.hash, key: a.key, ...(pruned ? { pruned } : {}) };
}

export interface VerifyReport {
  ok: boolean;
  batches: number;
  events: number;
  first?: number;
  last?: number;
  /** Batches appended without the stack's secrets (by `stacks cancel` / `stacks delete` without a passphrase). */
  unauthenticated: number[];
  problems: string[];
  notes: string[];
}

/** Metadata of the prune event that lets verify start the chain after pruned batches. */
export const PRUNE_META = { through: 'prunedThroughSeq', hash: 'prunedLastHash' } as const;

/** Metadata `audit import` puts on every event it appends (so verify never takes one for a local fact). */
export const IMPORTED_META = 'importedFrom';

const missing = (from: number, to: number): string => (from === to ? `batch ${from} is missing (deleted)` : `batches ${from}–${to} are missing (deleted)`);

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

function headerDigest(b: Omit<StoredBatch, 'auth'>): string {
  return sha256(`sloth-audit-v${b.version}\n${b.seq}\n${b.prev}\n${b.writtenAt}\n${b.count}\n${b.key}\n${JSON.stringify(b.sealed)}`);
}

export class AuditLog {
  readonly attachments: StackAttachments;
  #keys: AuditKeyPair | undefined;
  #publicKey: string | undefined;

  constructor(attachments: StackAttachments) {
    this.attachments = attachments;
  }

  get stack(): string {
    return this.attachments.stack;
  }

  async #readKeyRecord(): Promise<KeyRecord | undefined> {
    const bytes = await this.attachments.getRaw(KEY_NAME);
    if (!bytes) return undefined;
    const rec = JSON.parse(bytes.toString('utf8')) as KeyRecord;
    if (rec.version !== 1 || rec.algorithm !== SEAL_ALGORITHM || typeof rec.publicKey !== 'string') {
      throw new AuditError(`the audit key of stack '${this.stack}' (${this.attachments.key(KEY_NAME)}) is not one this version reads`);
    }
    return rec;
  }

  /**
   * The public key events are sealed to. Made on first use by a command that holds the
   * stack's secrets; a command without them on a stack that has no key yet cannot record.
   */
  async publicKey(): Promise<string> {
    if (this.#publicKey) return this.#publicKey;
    let rec = await this.#readKeyRecord();
    if (!rec) {
      if (!this.attachments.canSeal) {
        throw new AuditError(
          `stack '${this.stack}' has no audit key yet, and this command runs without the stack's secrets`,
          'Run any command that opens the stack with its passphrase (e.g. `sloth-kubernetes audit verify ' + this.stack + '`) once, then try again.',
          'no-key',
        );
      }
      const pair = generateAuditKeyPair();
      const fresh: KeyRecord = {
        version: 1,
        algorithm: SEAL_ALGORITHM,
        publicKey: pair.publicKey,
        privateKey: this.attachments.sealer.encrypt(pair.privateKey),
        createdAt: new Date().toISOString(),
      };
      if (await this.attachments.createRaw(KEY_NAME, JSON.stringify(fresh))) {
        this.#keys = pair;
        rec = fresh;
      } else {
        rec = await this.#readKeyRecord(); // another process made it first
      }
    }
    this.#publicKey = rec!.publicKey;
    return rec!.publicKey;
  }

  async hasKey(): Promise<boolean> {
    return (await this.attachments.getRaw(KEY_NAME)) !== undefined;
  }

  async fingerprint(): Promise<string> {
    return keyFingerprint(await this.publicKey());
  }

  /** The key pair, decrypting the private key with the stack's secrets. */
  async keyPair(): Promise<AuditKeyPair> {
    if (this.#keys) return this.#keys;
    const rec = await this.#readKeyRecord();
    if (!rec) throw new AuditError(`stack '${this.stack}' has no audit log yet`);
    if (!this.attachments.canSeal) throw new AuditError(`reading the audit log of stack '${this.stack}' needs its secrets`);
    let privateKey: string;
    try {
      privateKey = this.attachments.sealer.decrypt(rec.privateKey, `the audit key of stack '${this.stack}'`);
    } catch (err) {
      throw new ForeignRecordError(this.stack, `the audit key of stack '${this.stack}' (${this.attachments.key(KEY_NAME)})`, err);
    }
    this.#keys = { publicKey: rec.publicKey, privateKey };
    return this.#keys;
  }

  /** Whether the audit key opens with the stack's secrets (undefined: no key yet). */
  async keyOpens(): Promise<boolean | undefined> {
    const rec = await this.#readKeyRecord().catch(() => null);
    if (rec === undefined) return undefined;
    if (rec === null) return false;
    try {
      this.attachments.sealer.decrypt(rec.privateKey);
      return true;
    } catch {
      return false;
    }
  }

  /** Batch names present, in order. */
  async #batchList(): Promise<{ name: string; seq: number }[]> {
    const objects = await this.attachments.list(BATCH_DIR);
    return objects
      .map((o) => ({ name: o.name, seq: Number(/(\d+)\.json$/.exec(o.name)?.[1] ?? NaN) }))
      .filter((o) => Number.isInteger(o.seq))
      .sort((a, b) => a.seq - b.seq);
  }

  /**
   * The last batch, or undefined for an empty log. A hint object names a recent head so an
   * append need not list the whole log; it is never trusted: the batches it names are read,
   * and newer ones found by reading forward. Without a usable hint the log is listed.
   */
  async head(): Promise<BatchRef | undefined> {
    const hint = await this.#hint();
    if (hint !== undefined) {
      let bytes = await this.attachments.getRaw(batchName(hint));
      if (bytes) {
        let seq = hint;
        for (let next = await this.attachments.getRaw(batchName(seq + 1)); next; next = await this.attachments.getRaw(batchName(seq + 1))) {
          seq++;
          bytes = next;
        }
        return { seq, hash: sha256(bytes) };
      }
    }
    const list = await this.#batchList();
    for (let i = list.length - 1; i >= 0; i--) {
      const bytes = await this.attachments.getRaw(list[i]!.name);
      if (bytes) return { seq: list[i]!.seq, hash: sha256(bytes) };
    }
    return undefined;
  }

  async #hint(): Promise<number | undefined> {
    try {
      const seq = (JSON.parse((await this.attachments.getRaw(HEAD_HINT))?.toString('utf8') ?? 'null') as { seq?: unknown } | null)?.seq;
      return typeof seq === 'number' && Number.isInteger(seq) && seq >= 0 ? seq : undefined;
    } catch {
      return undefined;
    }
  }

  /** The anchor for the checkpoint: the head and the key it is sealed to. */
  async anchor(): Promise<AuditAnchor | undefined> {
    const head = await this.head();
    return head ? { ...head, key: await this.fingerprint() } : undefined;
  }

  /** Appends one batch holding `events`; returns where it went in the chain. */
  async append(events: AuditEvent[]): Promise<BatchRef> {
    const publicKey = await this.publicKey();
    const key = keyFingerprint(publicKey);
    const atomic = await this.attachments.exclusiveCreateIsAtomic();
    let head = await this.head();
    const deadline = Date.now() + APPEND_PATIENCE_MS;
    for (let attempt = 0; ; attempt++) {
      const seq = head ? head.seq + 1 : 0;
      const prev = head?.hash ?? '';
      const batch: StoredBatch = {
        version: BATCH_VERSION,
        seq,
        prev,
        writtenAt: new Date().toISOString(),
        count: events.length,
        key,
        sealed: seal(publicKey, JSON.stringify({ seq, prev, events })),
      };
      if (this.attachments.canSeal) batch.auth = this.attachments.sealer.encrypt(headerDigest(batch));
      const bytes = JSON.stringify(batch);
      if (await this.attachments.createRaw(batchName(seq), bytes)) {
        // A store that ignores conditional writes may have let another appender overwrite us.
        const back = atomic ? bytes : (await this.attachments.getRaw(batchName(seq)))?.toString('utf8');
        if (back === bytes) {
          await this.attachments.putRaw(HEAD_HINT, JSON.stringify({ seq })).catch(() => undefined);
          return { seq, hash: sha256(bytes) };
        }
      }
      // Another appender took this number: its batch is the new head (one read, no listing).
      if (Date.now() > deadline) throw new AuditError(`could not append to the audit log of stack '${this.stack}' after ${attempt + 1} attempts (too many concurrent writers)`);
      const theirs = await this.attachments.getRaw(batchName(seq));
      head = theirs ? { seq, hash: sha256(theirs) } : await this.head();
      await sleep(Math.random() * Math.min(50, 2 ** Math.min(attempt, 6)));
    }
  }

  /** Every batch, opened. Batches that cannot be read are reported in `unreadable`. */
  async read(): Promise<{ batches: OpenedBatch[]; unreadable: { seq: number; why: string }[] }> {
    const keys = await this.keyPair();
    const batches: OpenedBatch[] = [];
    const unreadable: { seq: number; why: string }[] = [];
    for (const { name, seq } of await this.#batchList()) {
      const bytes = await this.attachments.getRaw(name);
      if (!bytes) continue;
      const r = this.#openBatch(keys, seq, bytes);
      if ('why' in r) unreadable.push({ seq, why: r.why });
      else batches.push(r);
    }
    return { batches, unreadable };
  }

  #openBatch(keys: AuditKeyPair, seq: number, bytes: Buffer): OpenedBatch | { why: string } {
    let b: StoredBatch;
    try {
      b = JSON.parse(bytes.toString('utf8')) as StoredBatch;
    } catch {
      return { why: 'is not JSON' };
    }
    if (b.version !== BATCH_VERSION || b.seq !== seq) return { why: `claims to be batch ${String(b.seq)} (version ${String(b.version)})` };
    const text = b.sealed ? open(keys, b.sealed) : undefined;
    if (text === undefined) return { why: 'cannot be opened with the stack\'s audit key (edited, or sealed to another key)' };
    let inner: { seq?: unknown; prev?: unknown; events?: unknown };
    try {
      inner = JSON.parse(text) as typeof inner;
    } catch {
      return { why: 'holds no valid events' };
    }
    if (inner.seq !== b.seq || inner.prev !== b.prev || !Array.isArray(inner.events)) return { why: 'sealed content does not match its header (moved or spliced)' };
    if (inner.events.length !== b.count) return { why: `holds ${inner.events.length} events but its header says ${b.count}` };
    let authenticated = false;
    if (b.auth !== undefined) {
      try {
        authenticated = this.attachments.sealer.decrypt(b.auth) === headerDigest(b);
      } catch {
        authenticated = false;
      }
      if (!authenticated) return { why: 'fails authentication with the stack\'s secrets (edited)' };
    }
    return { seq: b.seq, hash: sha256(bytes), prev: b.prev, writtenAt: b.writtenAt, authenticated, events: inner.events as AuditEvent[] };
  }

  /**
   * Checks the whole chain: every batch opens and authenticates, numbers have no gaps from the
   * start (or from the last prune) to the head, each names its predecessor's hash, event ids
   * are unique, and the anchor kept in the checkpoint is still in the chain.
   */
  async verify(anchor?: AuditAnchor): Promise<VerifyReport> {
    const keys = await this.keyPair();
    const report: VerifyReport = { ok: true, batches: 0, events: 0, unauthenticated: [], problems: [], notes: [] };
    const list = await this.#batchList();
    const opened: (OpenedBatch & { bytesHash: string })[] = [];
    for (const { name, seq } of list) {
      const bytes = await this.attachments.getRaw(name);
      if (!bytes) continue;
      const r = this.#openBatch(keys, seq, bytes);
      if ('why' in r) {
        report.problems.push(`batch ${seq} ${r.why}`);
        // Keep its hash so the chain check still points at the right place.
        opened.push({ seq, hash: sha256(bytes), bytesHash: sha256(bytes), prev: '?', writtenAt: '', authenticated: false, events: [] });
        continue;
      }
      opened.push({ ...r, bytesHash: r.hash });
    }
    // Where the chain starts: 0, or just after the latest prune. Only a prune recorded with
    // the stack's secrets counts — in the anchor, or as an event of an authenticated batch
    // (never an imported one): anyone with write access to the backend can append a batch
    // claiming a prune, so an unauthenticated claim is a forgery, not a starting point.
    let floor = -1;
    let floorHash = '';
    const prunePoint = (through: number, hash: string, where: string) => {
      if (through === floor && hash !== floorHash) report.problems.push(`${where} names batch ${through} with another hash than the prune recorded elsewhere`);
      if (through > floor) {
        floor = through;
        floorHash = hash;
      }
    };
    if (anchor?.pruned) prunePoint(anchor.pruned.through, anchor.pruned.hash, "the stack's checkpoint");
    for (const b of opened) {
      for (const e of b.events) {
        const through = Number(e.metadata?.[PRUNE_META.through]);
        if (e.action !== 'prune' || !e.success || !Number.isInteger(through) || e.metadata?.[IMPORTED_META] !== undefined) continue;
        if (!b.authenticated) {
          report.problems.push(`batch ${b.seq} claims a prune through batch ${through} but was appended without the stack's secrets (\`audit prune\` always holds them): a forged prune`);
          continue;
        }
        prunePoint(through, e.metadata[PRUNE_META.hash] ?? '', `the prune event in batch ${b.seq}`);
      }
    }
    const chain = opened.filter((b) => b.seq > floor);
    const leftovers = opened.length - chain.length;
    if (leftovers > 0) report.notes.push(`${leftovers} batch(es) at or before the prune point (${floor}) are still stored; \`audit prune\` removes them`);
    if (chain.length === 0) {
      if (opened.length > 0) report.problems.push('no batch remains after the prune point');
    } else {
      const first = chain[0]!;
      const expectedFirst = floor + 1;
      if (first.seq !== expectedFirst) report.problems.push(missing(expectedFirst, first.seq - 1));
      else if (first.prev !== '?' && first.prev !== floorHash) {
        report.problems.push(floor < 0 ? `batch ${first.seq} names a predecessor, but the log starts with it` : `batch ${first.seq} does not follow the pruned batch ${floor} (hash mismatch)`);
      }
      for (let i = 1; i < chain.length; i++) {
        const [a, b] = [chain[i - 1]!, chain[i]!];
        if (b.seq !== a.seq + 1) report.problems.push(missing(a.seq + 1, b.seq - 1));
        else if (b.prev !== '?' && b.prev !== a.bytesHash) report.problems.push(`batch ${b.seq} does not name batch ${a.seq} as its predecessor: batch ${a.seq} was changed or replaced`);
      }
      report.first = first.seq;
      report.last = chain[chain.length - 1]!.seq;
    }
    const ids = new Set<string>();
    for (const b of chain) {
      report.batches++;
      report.events += b.events.length;
      if (!b.authenticated && b.prev !== '?') report.unauthenticated.push(b.seq);
      for (const e of b.events) {
        if (ids.has(e.id)) report.problems.push(`event ${e.id} appears twice (batch ${b.seq})`);
        ids.add(e.id);
      }
    }
    if (anchor) {
      const fp = keyFingerprint(keys.publicKey);
      if (anchor.key !== fp) report.problems.push(`the audit key changed: the stack's checkpoint anchors key ${anchor.key}, the log uses ${fp}`);
      if (anchor.seq > floor) {
        const at = chain.find((b) => b.seq === anchor.seq);
        if (!at) report.problems.push(`batch ${anchor.seq}, anchored in the stack's checkpoint, is missing: batches were removed from the end of the log`);
        else if (at.bytesHash !== anchor.hash) report.problems.push(`batch ${anchor.seq} differs from the copy anchored in the stack's checkpoint`);
      } else if (anchor.seq === floor && anchor.hash !== floorHash) {
        report.problems.push(`batch ${anchor.seq}, anchored in the stack's checkpoint, is not the batch the prune removed (hash mismatch)`);
      } else {
        // Only an authenticated prune moves the floor, so the anchored batch went with it.
        report.notes.push(`the batch anchored in the stack's checkpoint (${anchor.seq}) was pruned; the anchor moves at the next deploy, destroy or refresh`);
      }
    } else if (chain.length > 0) {
      report.notes.push('the stack has no anchor yet (it is written at the next deploy, destroy or refresh)');
    }
    report.ok = report.problems.length === 0;
    return report;
  }

  /**
   * Removes the oldest batches whose events all happened before `before`, keeping at least the
   * last batch. `record(through, hash)` appends the prune event first (it must reach the chain
   * before anything is deleted); returns how many batches and events went.
   */
  async prune(before: Date, record: (through: number, hash: string, batches: number, events: number) => Promise<void>): Promise<{ batches: number; events: number }> {
    const { batches, unreadable } = await this.read();
    if (unreadable.length > 0) throw new AuditError(`refusing to prune: batch ${unreadable[0]!.seq} ${unreadable[0]!.why}`, `Check the log with: sloth-kubernetes audit verify ${this.stack}`);
    const pruned: OpenedBatch[] = [];
    for (const b of batches.slice(0, -1)) {
      const newest = Math.max(Date.parse(b.writtenAt), ...b.events.map((e) => Date.parse(e.timestamp)));
      if (newest >= before.getTime()) break;
      pruned.push(b);
    }
    if (pruned.length === 0) return { batches: 0, events: 0 };
    const last = pruned[pruned.length - 1]!;
    const events = pruned.reduce((n, b) => n + b.events.length, 0);
    await record(last.seq, last.hash, pruned.length, events);
    for (const b of pruned) await this.attachments.delete(batchName(b.seq));
    return { batches: pruned.length, events };
  }
}
