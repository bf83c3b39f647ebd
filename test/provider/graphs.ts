// Desired graphs for the crash test and the benchmarks, built deterministically from a size
// and a variant so that a child process and its parent build the same graph.
import { DesiredGraph } from '../../src/engine/index.ts';
import type { ResourceHandle } from '../../src/engine/index.ts';
import { Secret } from '../../src/state/types.ts';

/** A small deterministic PRNG (mulberry32), so variants are reproducible across processes. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resources in the crash test's graph. */
export const CRASH_GRAPH_SIZE = 50;

/**
 * A cluster-shaped graph of `n` resources for the crash test: a component with children,
 * chains, fan-out, secrets, types with and without update. Variant 0 is the base; other
 * variants change inputs (updates), force replacements (`zone`, immutable types), drop the
 * last few resources (deletes) and add others (creates).
 */
export function crashGraph(stack: string, n: number, variant: number): DesiredGraph {
  const g = new DesiredGraph(stack);
  const rnd = prng(variant * 7919 + 17);
  const changed = (p: number): boolean => variant > 0 && rnd() < p;
  const pool = g.component('sloth:cluster:NodePool', 'workers', { size: variant % 3 });
  const made: ResourceHandle[] = [];
  const dropped = variant % 2 === 1 ? 4 : 0;
  for (let i = 0; i < n - dropped; i++) {
    const immutable = i % 7 === 3;
    const type = immutable ? 'test:index:Immutable' : 'test:index:Thing';
    const inputs: Record<string, unknown> = { index: i, label: `r${i}`, size: changed(0.2) ? 100 + variant : 1 };
    if (i % 5 === 0) inputs.zone = changed(0.15) ? `z${variant}` : 'z0';
    if (i % 6 === 1) inputs.password = `pw-${i}-${changed(0.1) ? variant : 0}`;
    if (i > 0 && i % 4 !== 0) inputs.parentArn = made[Math.floor(rnd() * made.length)]!.output('arn');
    if (i % 9 === 8 && made.length > 2) inputs.peers = [made[i - 1]!.output('arn'), made[i - 2]!.output('index')];
    const handle = g.resource(type, `r${i}`, inputs as never, {
      ...(i % 10 === 2 ? { parent: pool } : {}),
      ...(i % 6 === 1 ? { secretInputs: ['password'] } : {}),
      ...(i % 11 === 5 ? { deleteBeforeReplace: true } : {}),
    });
    made.push(handle);
  }
  if (variant % 4 === 2) for (let i = 0; i < 3; i++) g.resource('test:index:Thing', `extra${i}`, { extra: i, dep: made[i]!.output('arn') });
  g.stackOutputs = { variant, secretNote: new Secret(`note-${variant}`) };
  return g;
}

/** `chains` chains of `length` resources each, every resource but the first of a chain depending on the one before. */
export function chainGraph(stack: string, chains: number, length: number, options: { provider?: Record<string, unknown> } = {}): DesiredGraph {
  const g = new DesiredGraph(stack);
  const provider = options.provider ? g.provider('test', 'default', options.provider as never) : undefined;
  for (let c = 0; c < chains; c++) {
    let prev: ResourceHandle | undefined;
    for (let i = 0; i < length; i++) {
      prev = g.resource('test:index:Thing', `c${c}-${i}`, prev ? { input: `v-${c}-${i}`, prev: prev.output('arn') } : { input: `v-${c}-${i}` }, provider ? { provider } : {});
    }
  }
  return g;
}

/**
 * A graph shaped like a large cluster's for benchmarks: `n` resources in chains of 10, each
 * with a handful of inputs (strings, numbers, a tag map), a reference to the previous one,
 * and a secret on every tenth.
 */
export function benchGraph(stack: string, n: number, variant = 0): DesiredGraph {
  const g = new DesiredGraph(stack);
  let prev: ResourceHandle | undefined;
  for (let i = 0; i < n; i++) {
    if (i % 10 === 0) prev = undefined;
    const inputs: Record<string, unknown> = {
      name: `node-${i}`,
      size: 's-2vcpu-4gb',
      region: ['nyc3', 'fra1', 'sgp1'][i % 3],
      count: i % 7,
      tags: { cluster: 'bench', pool: `pool-${Math.floor(i / 50)}`, variant: String(variant) },
    };
    if (prev) inputs.after = prev.output('arn');
    if (i % 10 === 5) inputs.token = `token-${i}-${variant}`;
    prev = g.resource('test:index:Thing', `r${i}`, inputs as never, i % 10 === 5 ? { secretInputs: ['token'] } : {});
  }
  return g;
}

/**
 * `n` resources where each depends on up to two random earlier ones (seeded): the kind of
 * irregular graph a cluster has, with a critical path much shorter than `n`.
 */
export function randomDag(stack: string, n: number, seed = 1): { graph: DesiredGraph; criticalPath: number } {
  const g = new DesiredGraph(stack);
  const rnd = prng(seed);
  const made: ResourceHandle[] = [];
  const depth: number[] = [];
  for (let i = 0; i < n; i++) {
    const deps: number[] = [];
    if (i > 0 && rnd() < 0.7) deps.push(Math.max(0, i - 1 - Math.floor(rnd() * Math.min(i, 100))));
    if (i > 1 && rnd() < 0.2) deps.push(Math.floor(rnd() * i));
    const inputs: Record<string, unknown> = { index: i };
    deps.forEach((d, k) => (inputs[`dep${k}`] = made[d]!.output('arn')));
    made.push(g.resource('test:index:Thing', `n${i}`, inputs as never));
    depth.push(1 + Math.max(0, ...deps.map((d) => depth[d]!)));
  }
  return { graph: g, criticalPath: Math.max(...depth) };
}
