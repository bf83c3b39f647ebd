// An update in progress, under the stack's lock: records go to the journal (one small
// object per batch; concurrent record() calls are coalesced into one write), the final
// checkpoint, history entry and backup are written by finish().
import type { BlobStore } from './blob/blob-store.ts';
import { encodeDeployment, newManifest, serializeCheckpoint } from './checkpoint/checkpoint.ts';
import { checkIntegrity, sortForIntegrity } from './checkpoint/integrity.ts';
import { encodePendingOperation, encodeResource } from './checkpoint/resources.ts';
import type { JsonObject } from './checkpoint/resources.ts';
import type { EncodeOptions } from './checkpoint/property-values.ts';
import { LockLostError, StateError } from './errors.ts';
import { historyJson } from './history.ts';
import { checkpointHash, JOURNAL_VERSION, ResourceIndex } from './journal.ts';
import { keys, qualifiedName, unixNanos } from './layout.ts';
import { protectRootResource } from './outputs.ts';
import type { HeldLock } from './lock.ts';
import type { Crypter } from './secrets/crypter.ts';
import type { Deployment, JournalRecord, PendingOperation, ResourceState, StackUpdate, UpdateKind, UpdateResult } from './types.ts';

interface Waiter {
  records: JsonObject[];
  resolve(): void;
  reject(err: unknown): void;
}

export interface UpdateContext {
  blob: BlobStore;
  stack: string;
  lock: HeldLock;
  crypter: Crypter;
  kind: UpdateKind;
  message: string;
  /** Hash of the checkpoint the journal applies to. */
  base: string;
  checkpointKey: string;
  /** Problems the stack already had when a state edit began (kept, not blamed on the edit). */
  tolerateIntegrityProblems: boolean;
  /** Tells the handle what the stack looks like after this update. */
  onFinished?(checkpointHash: string, deployment: Deployment): void;
  onAbandoned?(): void;
}

/** Writes a checkpoint the crash-safe way: previous copy to `.bak`, then one atomic put. */
export async function writeCheckpoint(blob: BlobStore, stack: string, bytes: string, currentKey: string | undefined): Promise<void> {
  const target = keys.checkpoint(stack);
  if (currentKey) await blob.copy(currentKey, keys.checkpointBackup(stack));
  await blob.put(target, bytes);
  // A compressed checkpoint written by Pulumi would shadow ours if it were newer; drop it.
  if (currentKey && currentKey !== target) await blob.delete(currentKey);
}

export async function writeHistory(blob: BlobStore, stack: string, entryJson: string): Promise<void> {
  const ns = unixNanos();
  await blob.put(keys.history(stack, ns), entryJson);
  await Promise.all([blob.copy(keys.checkpoint(stack), keys.historyCheckpoint(stack, ns)), blob.copy(keys.checkpoint(stack), keys.backup(stack, ns))]);
}

export class Update implements StackUpdate {
  private readonly ctx: UpdateContext;
  private index: ResourceIndex<ResourceState, PendingOperation>;
  private readonly manifest: Deployment['manifest'];
  private readonly startTime = Math.floor(Date.now() / 1000);
  private seq = 0;
  private queue: Waiter[] = [];
  private writing: Promise<void> | undefined;
  private done = false;
  private readonly enc: EncodeOptions;

  constructor(ctx: UpdateContext, deployment: Deployment) {
    this.ctx = ctx;
    this.index = new ResourceIndex(deployment.resources, deployment.pendingOperations);
    this.manifest = deployment.manifest;
    this.enc = { encrypt: (pt) => ctx.crypter.encrypt(pt), reuseCiphertext: true };
  }

  /** State surgery: replaces every resource at once (written by finish, not journaled). */
  replaceResources(resources: ResourceState[]): void {
    this.index = new ResourceIndex(resources, this.index.result().pending);
  }

  get deployment(): Deployment {
    const r = this.index.result();
    return { manifest: this.manifest, resources: r.resources, pendingOperations: r.pending };
  }

  private encodeRecord(rec: JournalRecord): JsonObject {
    const check = (r: ResourceState, what: string) => {
      if (typeof r?.urn !== 'string' || !r.urn.startsWith('urn:pulumi:') || typeof r.type !== 'string' || r.type === '') {
        throw new StateError(`${what}: a resource needs a urn (urn:pulumi:…) and a type, got ${JSON.stringify({ urn: r?.urn, type: r?.type })}`);
      }
      if (!r.custom && r.id) throw new StateError(`${what}: component resource ${r.urn} cannot have an id`);
    };
    if (rec.op === 'put') check(rec.resource, 'put');
    if (rec.op === 'pending') check(rec.operation?.resource, 'pending');
    switch (rec.op) {
      case 'put':
        return { op: 'put', resource: encodeResource(rec.resource, this.enc) };
      case 'pending':
        return { op: 'pending', operation: encodePendingOperation(rec.operation, this.enc) };
      case 'remove':
        return rec.deleted ? { op: 'remove', urn: rec.urn, deleted: true } : { op: 'remove', urn: rec.urn };
      case 'mark-delete':
      case 'settle':
        return { op: rec.op, urn: rec.urn };
      default:
        throw new StateError(`unknown journal record ${JSON.stringify((rec as { op?: unknown }).op)}`);
    }
  }

  record(records: JournalRecord[]): Promise<void> {
    if (this.done) return Promise.reject(new StateError(`the update of stack '${this.ctx.stack}' has already finished`));
    if (records.length === 0) return Promise.resolve();
    // Root stack outputs that can carry credentials are secrets, whatever the caller passed.
    records = records.map((r) => (r.op === 'put' ? { ...r, resource: protectRootResource(r.resource) } : r));
    let raw: JsonObject[];
    try {
      raw = records.map((r) => this.encodeRecord(r)); // encrypts; fails before anything changes
    } catch (err) {
      return Promise.reject(err);
    }
    this.index.apply(records);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records: raw, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const body = JSON.stringify({
        version: JOURNAL_VERSION,
        base: this.ctx.base,
        seq: this.seq,
        records: batch.flatMap((w) => w.records),
      });
      try {
        await this.ctx.blob.put(keys.journal(this.ctx.stack, this.seq++), body);
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.writing = undefined;
  }

  private async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async finish(result: UpdateResult): Promise<void> {
    if (this.done) throw new StateError(`the update of stack '${this.ctx.stack}' has already finished`);
    this.done = true;
    const { blob, stack, lock } = this.ctx;
    try {
      await this.flush();
      if (!(await lock.stillHeld())) throw new LockLostError(stack);
      const current = this.deployment;
      const d: Deployment = { ...current, resources: current.resources.map(protectRootResource) };
      const raw = encodeDeployment({ ...d, manifest: newManifest() }, this.ctx.crypter);
      if (!this.ctx.tolerateIntegrityProblems) {
        const problems = checkIntegrity(d.resources).filter((p) => p.kind !== 'order');
        if (problems.length > 0) {
          throw new StateError(
            `refusing to write a checkpoint for stack '${stack}' that breaks the integrity rules: ${problems.slice(0, 3).map((p) => p.message).join('; ')}`,
            { hint: `The recorded changes are kept in the journal. Inspect them with: sloth-kubernetes stacks state repair ${stack} --dry-run` },
          );
        }
      }
      const bytes = serializeCheckpoint(qualifiedName(stack), raw);
      const written: Deployment = { manifest: { ...raw.manifest }, resources: sortForIntegrity(d.resources).resources, pendingOperations: d.pendingOperations };
      await writeCheckpoint(blob, stack, bytes, this.ctx.checkpointKey);
      await writeHistory(
        blob,
        stack,
        historyJson({
          kind: this.ctx.kind,
          startTime: this.startTime,
          endTime: Math.floor(Date.now() / 1000),
          message: this.ctx.message,
          result: result.result,
          resourceChanges: result.resourceChanges,
        }),
      );
      await blob.deleteMany((await blob.list(keys.journalDir(stack))).map((o) => o.key));
      this.ctx.onFinished?.(checkpointHash(bytes), written);
    } catch (err) {
      this.ctx.onAbandoned?.();
      throw err;
    } finally {
      await lock.release();
    }
  }

  async abandon(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.ctx.onAbandoned?.();
    try {
      await this.flush();
    } finally {
      await this.ctx.lock.release();
    }
  }
}
