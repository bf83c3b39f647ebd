// The provider package `test`, written against the engine's provider interface like a real
// cloud provider, over a FileCloud. Configurable latency per call, and failure, throttling,
// hangs and "made it but failed" injection per resource (faults.json). It also counts calls
// and concurrency so tests can check ordering and parallelism.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PropertyMap } from '../../src/state/types.ts';
import type { CallContext, ErrorClass, ProviderPackage, ResourceType } from '../../src/engine/index.ts';
import { FileCloud, MemoryCloud } from './file-cloud.ts';
import type { CloudObject, Fault } from './file-cloud.ts';

export class TestCloudError extends Error {
  readonly kind: ErrorClass;
  constructor(message: string, kind: ErrorClass) {
    super(message);
    this.kind = kind;
  }
}

export interface CallRecord {
  op: 'create' | 'read' | 'update' | 'delete' | 'adopt' | 'recover';
  name: string;
  start: number;
  end: number;
}

/** In-process view of what the provider did (per provider package instance). */
export class CloudStats {
  calls: CallRecord[] = [];
  running = 0;
  maxRunning = 0;
  #attempts = new Map<string, number>();

  attempt(name: string, op: string): number {
    const key = `${op} ${name}`;
    const n = (this.#attempts.get(key) ?? 0) + 1;
    this.#attempts.set(key, n);
    return n;
  }

  count(op: CallRecord['op'], name?: string): number {
    return this.calls.filter((c) => c.op === op && (name === undefined || c.name === name)).length;
  }
}

export interface TestClient {
  cloud: FileCloud;
  latencyMs: number;
  jitterMs: number;
  stats: CloudStats;
}

type Ctx = CallContext<TestClient>;

async function call<T>(ctx: Ctx, op: CallRecord['op'], body: () => T): Promise<T> {
  const { client } = ctx;
  const stats = client.stats;
  const start = performance.now();
  stats.running++;
  stats.maxRunning = Math.max(stats.maxRunning, stats.running);
  try {
    const fault = client.cloud.faults()[ctx.name]?.[op];
    const latency = client.latencyMs + (client.jitterMs > 0 ? Math.random() * client.jitterMs : 0);
    if (latency > 0) await sleep(latency, undefined, { signal: ctx.signal });
    if (fault) await inject(ctx, op, fault, body);
    return body();
  } finally {
    stats.running--;
    stats.calls.push({ op, name: ctx.name, start, end: performance.now() });
  }
}

async function inject(ctx: Ctx, op: string, fault: Fault, body: () => unknown): Promise<void> {
  const attempt = ctx.client.stats.attempt(ctx.name, op);
  if (fault.times !== undefined && attempt > fault.times) return;
  // A hang that ignores the abort signal must not keep the test process alive after the run.
  if (fault.hangMs) await sleep(fault.hangMs, undefined, fault.ignoreAbort ? { ref: false } : { signal: ctx.signal });
  if (fault.afterEffect) {
    body();
    throw new TestCloudError(fault.message ?? `injected failure of ${op} ${ctx.name} after the object was made`, fault.error ?? 'permanent');
  }
  if (fault.error) throw new TestCloudError(fault.message ?? `injected ${fault.error} failure of ${op} ${ctx.name}`, fault.error);
}

function outputsOf(obj: CloudObject): PropertyMap {
  return { ...(obj.props as PropertyMap), arn: `arn:test:${obj.id}`, revision: obj.revision };
}

/**
 * A resource whose inputs hold `log` tells the user about it, as a provider logs progress (and
 * may carelessly echo an input); `wait`, as a provider says what a long wait waits for.
 */
function logInput(inputs: PropertyMap, ctx: Ctx, op: string): void {
  if (typeof inputs.log === 'string') ctx.log(`${op}: ${inputs.log}`);
  if (typeof inputs.wait === 'string') ctx.log(`${op}: ${inputs.wait}`, 'warning');
}

function makeType(kind: string, options: { updatable: boolean; forceNew?: string[] }): ResourceType<TestClient> {
  const type: ResourceType<TestClient> = {
    forceNew: options.forceNew,
    computedOnUpdate: ['revision'],
    create: (inputs, ctx) =>
      call(ctx, 'create', () => {
        logInput(inputs, ctx, 'create');
        const obj: CloudObject = { id: `${kind}-${randomBytes(6).toString('hex')}`, type: ctx.type, name: ctx.name, tag: ctx.urnTag, props: inputs as Record<string, unknown>, revision: 1 };
        ctx.client.cloud.put(obj);
        return { id: obj.id, outputs: outputsOf(obj) };
      }),
    read: (id, _state, ctx) =>
      call(ctx, 'read', () => {
        const obj = ctx.client.cloud.get(id);
        return obj ? { outputs: outputsOf(obj), inputs: obj.props as PropertyMap } : undefined;
      }),
    delete: (id, _state, ctx) => call(ctx, 'delete', () => ctx.client.cloud.remove(id)),
    adopt: (_inputs, ctx) =>
      call(ctx, 'adopt', () => {
        const obj = ctx.client.cloud.list().find((o) => o.tag === ctx.urnTag && !ctx.knownIds.includes(o.id));
        return obj ? { id: obj.id, outputs: outputsOf(obj) } : undefined;
      }),
  };
  if (options.updatable) {
    type.update = (id, _olds, news, ctx) =>
      call(ctx, 'update', () => {
        logInput(news, ctx, 'update');
        const obj = ctx.client.cloud.get(id);
        if (!obj) throw new TestCloudError(`object ${id} not found`, 'permanent');
        const next = { ...obj, props: news as Record<string, unknown>, revision: obj.revision + 1 };
        ctx.client.cloud.put(next);
        return { outputs: outputsOf(next) };
      });
  }
  return type;
}

/**
 * `test:index:Lookup` {of} → {value}: a look-up, with no cloud object of its own (like an
 * image look-up): `value` is what the cloud answers for `of`. Nothing to adopt after an
 * interrupted create; a rebuilt stack looks it up again (`recover`).
 */
function lookupType(): ResourceType<TestClient> {
  const answer = (inputs: PropertyMap) => ({ id: `lookup-${String(inputs.of)}`, outputs: { ...inputs, value: `${String(inputs.of)}-image` } });
  return {
    create: (inputs, ctx) => call(ctx, 'create', () => answer(inputs)),
    read: (_id, state, ctx) => call(ctx, 'read', () => ({ outputs: state.outputs })),
    delete: (_id, _state, ctx) => call(ctx, 'delete', () => undefined),
    adopt: (_inputs, ctx) => call(ctx, 'adopt', () => undefined),
    recover: (inputs, ctx) => call(ctx, 'recover', () => answer(inputs)),
  };
}

export interface TestProviderOptions {
  /** Where the cloud lives when the provider configuration does not say (`dir`). */
  dir?: string;
  latencyMs?: number;
  jitterMs?: number;
  /** Keep the cloud in memory (benchmarks): no file per object, nothing survives the process. */
  memory?: boolean;
}

/**
 * The `test` package. Configuration keys (inputs of `pulumi:providers:test`): `dir`,
 * `latencyMs`, `jitterMs`; env `SLOTH_TEST_CLOUD` names the directory otherwise.
 */
export function testProvider(options: TestProviderOptions = {}): ProviderPackage<TestClient> & { stats: CloudStats } {
  const stats = new CloudStats();
  let memoryCloud: MemoryCloud | undefined;
  return {
    name: 'test',
    stats,
    configure(config, ctx) {
      const dir = (config.dir as string | undefined) ?? options.dir ?? ctx.env.SLOTH_TEST_CLOUD;
      if (options.memory) {
        memoryCloud ??= new MemoryCloud();
        return { cloud: memoryCloud, latencyMs: options.latencyMs ?? 0, jitterMs: options.jitterMs ?? 0, stats };
      }
      if (!dir) throw new Error('the test provider needs a directory: set dir in its configuration or SLOTH_TEST_CLOUD');
      if (config.latencyMs !== undefined && typeof config.latencyMs !== 'number') throw new Error('latencyMs must be a number');
      return {
        cloud: new FileCloud(dir),
        latencyMs: (config.latencyMs as number | undefined) ?? options.latencyMs ?? 0,
        jitterMs: (config.jitterMs as number | undefined) ?? options.jitterMs ?? 0,
        stats,
      };
    },
    resources: {
      'test:index:Thing': makeType('thing', { updatable: true, forceNew: ['zone'] }),
      'test:index:Immutable': makeType('immutable', { updatable: false }),
      'test:index:Lookup': lookupType(),
    },
    classifyError: (err) => (err instanceof TestCloudError ? err.kind : 'permanent'),
  };
}
