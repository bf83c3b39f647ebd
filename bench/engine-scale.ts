// Deploy time per resource as the graph grows: N resources in chains of 10 deployed from empty
// through the CLI's engine flow (test/provider/cli-child.ts, a fresh process, the test
// provider's cloud in memory, a file:// stack), N = 5,000, 20,000 and 50,000 by default.
// Linear means the time per resource stays flat; the figure is the largest per-resource time
// over the one at the smallest N, taken from the deploy's own duration (the CLI's
// `Duration:` line: from the start of the apply to its end, so the fixed cost of start-up and
// key derivation does not flatten it); the process's wall time is shown too. Each size once
// (median of `--runs`), sizes interleaved.
//   node bench/engine-scale.ts [N …] [--runs 1]
// Target (issue 19): ≤ 1.3× from 5,000 to 50,000.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, timed } from '../test/provider/bench-run.ts';
import type { GraphEntry } from '../test/provider/cli-child.ts';

const CHILD = fileURLToPath(new URL('../test/provider/cli-child.ts', import.meta.url));
const LAUNCHER = fileURLToPath(new URL('../bin/sloth-kubernetes.js', import.meta.url));
const args = process.argv.slice(2);
const r = args.indexOf('--runs');
const RUNS = r >= 0 ? Number(args.splice(r, 2)[1]) : 1;
const SIZES = args.length > 0 ? args.map(Number) : [5000, 20000, 50000];

const dir = mkdtempSync(join(tmpdir(), 'sloth-scale-'));
try {
  const files = new Map<number, string>();
  for (const n of SIZES) {
    const entries: GraphEntry[] = [];
    for (let i = 0; i < n; i++) entries.push({ name: `c${Math.floor(i / 10)}_${i % 10}`, input: `v-${i}`, ...(i % 10 > 0 ? { after: `c${Math.floor(i / 10)}_${(i % 10) - 1}` } : {}) });
    files.set(n, join(dir, `graph-${n}.json`));
    writeFileSync(files.get(n)!, JSON.stringify(entries));
  }
  const walls = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const applies = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const seconds = (out: string) => {
    const m = /Duration: (?:(\d+)m)?([\d.]+)s/.exec(out);
    if (!m) throw new Error(`no Duration line in:\n${out.slice(-300)}`);
    return Number(m[1] ?? 0) * 60 + Number(m[2]);
  };
  const rss = new Map<number, number>();
  console.log(`${new Date().toISOString()}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  let k = 0;
  for (let run = 0; run < RUNS; run++) {
    for (const n of SIZES) {
      const backend = join(dir, `backend-${k++}`);
      const env = { HOME: dir, PATH: process.env.PATH, PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: 'bench', NODE_COMPILE_CACHE: join(dir, 'cache') };
      const made = spawnSync(process.execPath, [LAUNCHER, 'stacks', 'create', 'bench'], { env, encoding: 'utf8' });
      if (made.status !== 0) throw new Error(made.stderr);
      const m = timed(process.execPath, ['--max-old-space-size=8192', CHILD, 'deploy', 'bench', files.get(n)!], { env });
      if (!m.stdout.includes(`Resources: ${n + 1} created`)) throw new Error(`unexpected deploy output:\n${m.stdout.slice(-500)}`);
      walls.get(n)!.push(m.wallS);
      applies.get(n)!.push(seconds(m.stdout));
      rss.set(n, Math.max(rss.get(n) ?? 0, m.maxRssMB));
      rmSync(backend, { recursive: true, force: true });
    }
  }
  const perResource = (n: number) => (median(applies.get(n)!) * 1000) / n;
  for (const n of SIZES) console.log(`  ${String(n).padStart(6)} resources: apply ${median(applies.get(n)!).toFixed(1)} s = ${perResource(n).toFixed(3)} ms per resource; whole process ${median(walls.get(n)!).toFixed(2)} s, peak ${rss.get(n)} MB`);
  const worst = Math.max(...SIZES.map(perResource)) / perResource(SIZES[0]!);
  console.log(`  largest per-resource time ÷ the one at ${SIZES[0]}: ${worst.toFixed(2)}×   [target ≤ 1.3×; load now ${loadavg()[0]!.toFixed(1)}]`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
