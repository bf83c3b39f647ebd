// An in-memory StackHandle for engine unit tests: journal records are applied by the state
// layer's own replay (ResourceIndex), bytes are counted as if written (secrets included as their
// values), a lock refuses a second update, and record() failures can be injected. The crash
// test and the benchmarks use the real file backend instead.
import type {
  Deployment,
  HistoryEntry,
  JournalRecord,
  PendingOperation,
  ResourceState,
  StackHandle,
  StackUpdate,
  UpdateKind,
  UpdateResult,
} from '../../src/state/types.ts';
import { Secret } from '../../src/state/types.ts';
import { checkIntegrity } from '../../src/state/index.ts';
import { ResourceIndex } from '../../src/state/journal.ts';

export function emptyDeployment(): Deployment {
  return { manifest: { time: new Date().toISOString(), magic: '', version: '' }, resources: [], pendingOperations: [] };
}

/** The journal records applied to a deployment exactly as the state layer replays them (its ResourceIndex). */
export function applyRecords(d: Deployment, records: readonly JournalRecord[]): Deployment {
  const index = new ResourceIndex<ResourceState, PendingOperation>(d.resources, d.pendingOperations);
  index.apply([...records]);
  const { resources, pending } = index.result();
  return { ...d, resources, pendingOperations: pending };
}

function byteSize(records: readonly JournalRecord[]): number {
  return Buffer.byteLength(JSON.stringify(records, (_k, v: unknown) => (v instanceof Secret ? { secret: v.value } : v)));
}

export class MemoryStack implements StackHandle {
  readonly name: string;
  deployment: Deployment;
  lastUpdate: Date | undefined;
  readonly entries: HistoryEntry[] = [];
  /** Every record() call, in order. */
  readonly writes: JournalRecord[][] = [];
  bytesWritten = 0;
  locked = false;
  /** Throw from the n-th record() call of the next update (1-based). */
  failRecordAt: number | undefined;
  /** Delay every record() by this many ms. */
  recordDelayMs = 0;
  /** Integrity problems seen after any record() (tests assert it stays empty). */
  readonly integrityProblems: string[] = [];

  constructor(name: string, deployment: Deployment = emptyDeployment()) {
    this.name = name;
    this.deployment = deployment;
  }

  async history(limit?: number): Promise<HistoryEntry[]> {
    return this.entries.slice(-(limit ?? this.entries.length)).reverse();
  }

  async beginUpdate(kind: UpdateKind, message?: string): Promise<StackUpdate> {
    if (this.locked) throw Object.assign(new Error(`the stack '${this.name}' is locked by another update`), { exitCode: 1 });
    this.locked = true;
    const startTime = Math.floor(Date.now() / 1000);
    let calls = 0;
    let open = true;
    const close = (): void => {
      if (!open) throw new Error('update already closed');
      open = false;
      this.locked = false;
    };
    const current = (): Deployment => this.deployment;
    const update: StackUpdate = {
      get deployment() {
        return current();
      },
      record: async (records) => {
        if (!open) throw new Error('record() after the update was closed');
        calls++;
        if (this.recordDelayMs > 0) await new Promise((r) => setTimeout(r, this.recordDelayMs));
        if (this.failRecordAt !== undefined && calls >= this.failRecordAt) throw new Error('disk full (injected)');
        this.writes.push([...records]);
        this.bytesWritten += byteSize(records);
        this.deployment = applyRecords(this.deployment, records);
        // The real state layer refuses to open a stack whose replayed journal breaks the
        // integrity rules, so every prefix of the journal must keep them.
        const problems = checkIntegrity(this.deployment.resources).filter((p) => p.kind !== 'order');
        if (problems.length > 0) this.integrityProblems.push(...problems.map((p) => p.message));
      },
      finish: async (result: UpdateResult) => {
        close();
        this.lastUpdate = new Date();
        this.deployment = { ...this.deployment, manifest: { ...this.deployment.manifest, time: this.lastUpdate.toISOString() } };
        this.entries.push({ kind, startTime, endTime: Math.floor(Date.now() / 1000), message: message ?? '', result: result.result, resourceChanges: result.resourceChanges });
      },
      abandon: async () => close(),
    };
    return update;
  }

  /** The live copy of a resource by name. */
  resource(name: string): ResourceState | undefined {
    return this.deployment.resources.find((r) => !r.delete && r.urn.endsWith(`::${name}`));
  }
}
