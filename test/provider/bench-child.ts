// One engine operation in a fresh process, against a real file-backend stack and the test
// provider, for the benchmarks (clean memory figures, and something `time -v` can measure).
// Prints one JSON line of timings. Usage:
//   node test/provider/bench-child.ts <mode> <backendDir> <cloudDir> <graph> <n> [latencyMs] [parallel]
//   mode:  create (make the stack) | apply | preview
//   graph: chains (chains of 10) | bench (benchGraph) | random (randomDag)
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openStateStore } from '../../src/state/index.ts';
import { deploy, preview, ProviderRegistry } from '../../src/engine/index.ts';
import type { DesiredGraph } from '../../src/engine/index.ts';
import { planText } from '../../src/cli/render/plan.ts';
import { testProvider } from './test-provider.ts';
import { benchGraph, chainGraph, randomDag } from './graphs.ts';

const t0 = performance.now();
const [mode, backendDir, cloudDir, graphKind, nArg, latencyArg, parallelArg] = process.argv.slice(2);
// `memory` as the cloud directory keeps the test cloud in memory (resources with no external object).
if (!mode || !backendDir || !cloudDir || !graphKind || !nArg) {
  console.error('usage: bench-child.ts <create|apply|preview|kdf> <backendDir> <cloudDir> <chains|bench|random> <n> [latencyMs] [parallel]');
  process.exit(2);
}
const PASSPHRASE = 'bench-passphrase';
const n = Number(nArg);
const env = { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE };

function graph(): DesiredGraph {
  if (graphKind === 'chains') return chainGraph('bench', n / 10, 10);
  if (graphKind === 'random') return randomDag('bench', n).graph;
  return benchGraph('bench', n);
}

if (mode === 'kdf') {
  // The passphrase key derivation on its own (PBKDF2-HMAC-SHA256, 1,000,000 iterations).
  const k0 = performance.now();
  pbkdf2Sync(PASSPHRASE, randomBytes(8), 1_000_000, 32, 'sha256');
  process.stdout.write(`${JSON.stringify({ kdfMs: Math.round(performance.now() - k0) })}\n`);
  process.exit(0);
}

const store = await openStateStore({ env, homedir: backendDir, cwd: backendDir, backendUrl: `file://${backendDir}` });
try {
  if (mode === 'create') {
    await store.createStack('bench', { passphrase: PASSPHRASE });
    process.exit(0);
  }
  const tImport = performance.now();
  const stack = await store.openStack('bench', { passphrase: async () => PASSPHRASE });
  const tOpen = performance.now();
  const desired = graph().build();
  const registry = new ProviderRegistry().register(testProvider({ dir: cloudDir, memory: cloudDir === 'memory', latencyMs: Number(latencyArg ?? 0) }));
  const bytesBefore = store.blob.stats.bytesWritten;
  let stepMs: number;
  let extra: Record<string, unknown> = {};
  if (mode === 'apply') {
    const s = performance.now();
    const r = await deploy(stack, desired, { registry, env, parallel: Number(parallelArg ?? 16) });
    stepMs = performance.now() - s;
    if (r.result !== 'succeeded') throw new Error(`apply failed: ${JSON.stringify(r.failures.slice(0, 3))}`);
    extra = { changes: r.changes };
  } else {
    const s = performance.now();
    const plan = preview(stack, desired, { registry });
    const text = planText(plan);
    stepMs = performance.now() - s;
    extra = { summary: text.trim().split('\n').at(-1) };
  }
  process.stdout.write(
    `${JSON.stringify({
      mode,
      resources: desired.resources.length,
      importMs: Math.round(tImport - t0),
      openMs: Math.round(tOpen - tImport),
      stepMs: Math.round(stepMs),
      totalMs: Math.round(performance.now() - t0),
      bytesWritten: store.blob.stats.bytesWritten - bytesBefore,
      checkpointBytes: statSync(join(backendDir, '.pulumi', 'stacks', 'sloth-kubernetes', 'bench.json')).size,
      maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      ...extra,
    })}\n`,
  );
} finally {
  store.close();
}
