// The test provider's "cloud": one JSON file per object in a directory, written atomically,
// so it survives a SIGKILL of the process that drives it and tests can inspect (or tamper
// with) it. Faults are injected through `faults.json` in the same directory, which tests
// may rewrite between runs.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export interface CloudObject {
  id: string;
  type: string;
  name: string;
  /** The URN tag the engine asks providers to attach; adopt looks for it. */
  tag: string;
  props: Record<string, unknown>;
  revision: number;
}

export type FaultKind = 'permanent' | 'throttled' | 'transient';

export interface Fault {
  /** How the call fails. */
  error?: FaultKind;
  /** Fail this many times, then succeed (default: always). */
  times?: number;
  message?: string;
  /** Wait this long before answering (ignores the abort signal when `ignoreAbort`). */
  hangMs?: number;
  ignoreAbort?: boolean;
  /** Make the object in the cloud, then fail the call anyway (create only). */
  afterEffect?: boolean;
}

/** Resource name → operation → fault. */
export type FaultPlan = Record<string, Partial<Record<'create' | 'read' | 'update' | 'delete' | 'adopt' | 'recover', Fault>>>;

export class FileCloud {
  readonly dir: string;
  #faultCache: { text: string; plan: FaultPlan } | undefined;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(join(dir, 'objects'), { recursive: true });
  }

  #path(id: string): string {
    return join(this.dir, 'objects', `${id}.json`);
  }

  list(): CloudObject[] {
    return readdirSync(join(this.dir, 'objects'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => this.get(f.slice(0, -5)))
      .filter((o): o is CloudObject => o !== undefined);
  }

  get(id: string): CloudObject | undefined {
    try {
      return JSON.parse(readFileSync(this.#path(id), 'utf8')) as CloudObject;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  put(obj: CloudObject): void {
    const tmp = `${this.#path(obj.id)}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(obj));
    renameSync(tmp, this.#path(obj.id));
  }

  remove(id: string): void {
    rmSync(this.#path(id), { force: true });
  }

  setFaults(plan: FaultPlan): void {
    writeFileSync(join(this.dir, 'faults.json'), JSON.stringify(plan));
  }

  faults(): FaultPlan {
    const file = join(this.dir, 'faults.json');
    if (!existsSync(file)) return {};
    const text = readFileSync(file, 'utf8');
    if (this.#faultCache?.text !== text) this.#faultCache = { text, plan: JSON.parse(text) as FaultPlan };
    return this.#faultCache.plan;
  }
}

/**
 * The same "cloud" held in memory, for benchmarks that compare the engine with tools whose
 * resources have no external object (Terraform's terraform_data): no file per object.
 */
export class MemoryCloud extends FileCloud {
  readonly #objects = new Map<string, CloudObject>();
  constructor() {
    super(join(tmpdir(), `sloth-memory-cloud-${process.pid}`));
  }
  override list(): CloudObject[] {
    return [...this.#objects.values()];
  }
  override get(id: string): CloudObject | undefined {
    return this.#objects.get(id);
  }
  override put(obj: CloudObject): void {
    this.#objects.set(obj.id, obj);
  }
  override remove(id: string): void {
    this.#objects.delete(id);
  }
  override faults(): FaultPlan {
    return {};
  }
}
