// Bytes written to the backend (file://) by a deploy from empty, for growing graph sizes: the
// journal (intent and result of each step), the final checkpoint and its copies (.bak,
// history, backup). Linear means bytes per resource stay flat as the graph grows. For scale,
// a Pulumi-style writer that rewrites the whole checkpoint after every step would write about
// steps × average checkpoint size.
//   node bench/engine-state-bytes.ts
import { BenchStack } from '../test/provider/bench-run.ts';

const SIZES = [250, 500, 1_000, 2_000];
const perResource: number[] = [];
for (const n of SIZES) {
  const stack = new BenchStack();
  try {
    const r = stack.child('apply', 'memory', 'bench', n);
    const per = r.bytesWritten / n;
    perResource.push(per);
    const rewriteAll = 2 * n * (r.checkpointBytes / 2);
    console.log(
      `${String(n).padStart(5)} resources: ${(r.bytesWritten / 1e6).toFixed(2)} MB written (${Math.round(per)} B/resource; final checkpoint ${(r.checkpointBytes / 1e6).toFixed(2)} MB); rewrite-per-step would be ≈ ${(rewriteAll / 1e6).toFixed(0)} MB`,
    );
  } finally {
    stack.cleanup();
  }
}
const spread = Math.max(...perResource) / Math.min(...perResource);
console.log(`bytes per resource, largest / smallest over ${SIZES.join(', ')}: ${spread.toFixed(3)}   [target: linear (≈ 1)]`);
if (spread > 1.15) process.exitCode = 1;
