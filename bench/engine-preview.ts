// Preview of a 5,000-resource stack with no changes: a fresh process opens the stack (file://,
// passphrase), plans against the same desired graph, and renders the plan.
//   node bench/engine-preview.ts
// Target (docs/architecture.md): < 2 s, < 500 MB.
import { BenchStack, kdfMs, median } from '../test/provider/bench-run.ts';

const N = 5_000;
const RUNS = 3;
const stack = new BenchStack();
try {
  const apply = stack.child('apply', 'memory', 'bench', N);
  console.log(`set-up: deployed ${apply.resources} resources in ${(apply.stepMs / 1000).toFixed(1)} s; checkpoint ${(apply.checkpointBytes / 1e6).toFixed(1)} MB`);
  const runs = Array.from({ length: RUNS }, () => stack.child('preview', 'memory', 'bench', N));
  const best = runs.reduce((a, b) => (a.wallS <= b.wallS ? a : b));
  const wall = median(runs.map((r) => r.wallS));
  const rss = Math.max(...runs.map((r) => r.maxRssMB));
  const kdf = kdfMs();
  console.log(`preview, ${N.toLocaleString('en')} resources, no changes (fresh process, median of ${RUNS}): ${wall.toFixed(2)} s wall, peak RSS ${rss} MB   [target < 2 s, < 500 MB]`);
  console.log(`  fastest run: open ${best.openMs} ms (of which key derivation ≈ ${kdf} ms), plan + render ${best.stepMs} ms, node start + imports ${Math.round(best.wallS * 1000 - best.totalMs)} ms`);
  console.log(`  ${best.stdout.includes('unchanged') ? JSON.parse(best.stdout.trim().split('\n').at(-1)!).summary : ''}`);
  if (wall >= 2 || rss >= 500) process.exitCode = 1;
} finally {
  stack.cleanup();
}
