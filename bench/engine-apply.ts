// Apply of 1,000 resources against a simulated cloud with a fixed 50 ms per call, parallelism
// 32, real file-backend stack (every step journaled and durable before its dependents start).
// The figure is wall time divided by the lower bound max(critical path × 50 ms,
// calls × 50 ms / 32): how close the scheduler gets to what no scheduler can beat.
//   node bench/engine-apply.ts
// Target (docs/architecture.md): ≤ 1.15.
import { BenchStack, median } from '../test/provider/bench-run.ts';
import { randomDag } from '../test/provider/graphs.ts';

const N = 1_000;
const LATENCY = 50;
const PARALLEL = 32;
// The machine is shared: each figure is the median of RUNS fresh deploys (min shown too).
const RUNS = 5;
let worst = 0;
for (const graph of ['random', 'chains'] as const) {
  const cp = graph === 'random' ? randomDag('bench', N).criticalPath : 10;
  const bound = Math.max(cp * LATENCY, (N * LATENCY) / PARALLEL);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const stack = new BenchStack();
    try {
      times.push(stack.child('apply', 'memory', graph, N, LATENCY, PARALLEL).stepMs);
    } finally {
      stack.cleanup();
    }
  }
  const ratio = median(times) / bound;
  worst = Math.max(worst, ratio);
  const shape = graph === 'random' ? 'random DAG (≤ 2 deps each)' : 'chains of 10';
  console.log(
    `apply ${N} resources, ${shape}, critical path ${cp}, ${LATENCY} ms/call, parallel ${PARALLEL}: median ${median(times)} ms (min ${Math.min(...times)}); lower bound ${Math.round(bound)} ms; ratio ${ratio.toFixed(3)} (best ${(Math.min(...times) / bound).toFixed(3)})   [target ≤ 1.15]`,
  );
}
if (worst > 1.15) process.exitCode = 1;
