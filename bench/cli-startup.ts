// Start-up as a user meets it, side by side with Terraform in one run: a new process each
// time, start to exit, runs interleaved (one of each, then again) so that load from other
// processes falls on all alike; median and min–max of RUNS.
//   - `terraform version` (the anchor) against `--help` and `--version`;
//   - `validate` of the Quick Start example and of a generated 2,000-pool config (cold: every
//     run a new process).
// Each of ours twice: the single executable (npm run build:exe; built into a temporary folder
// when dist/exe has none) and the npm install's launcher, bin/sloth-kubernetes.js, started by
// the `node` on PATH (on a machine whose Node is older than 24 it re-runs itself under the
// project's Node 24, as a clone's user gets it), which runs the bundle npm ci made in
// dist/cli/ (made here when it does not match the sources); the launcher also from the
// sources (SLOTH_FROM_SOURCES=1: what it runs after a source was edited).
//   node bench/cli-startup.ts [runs]        (Terraform from scripts/test-peers terraform, or $TERRAFORM)
// Targets: --help and --version no slower than `terraform version`; validate of the Quick
// Start example < 150 ms (single executable); validate of 2,000 pools < 300 ms.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshBundle } from '../bin/fresh-bundle.js';
import { buildExecutables, exeName, hostTarget } from '../scripts/build-exe.ts';
import { PEERS_BIN } from '../test/helpers/parts.ts';
import { generate } from './config-2000-pools.ts';

const RUNS = Number(process.argv[2] ?? 15);
const root = join(import.meta.dirname, '..');
const TERRAFORM = process.env.TERRAFORM ?? join(PEERS_BIN, 'terraform');
const tmp = mkdtempSync(join(tmpdir(), 'sloth-startup-'));

try {
  let exe = join(root, 'dist', 'exe', exeName(hostTarget()));
  if (!existsSync(exe)) exe = (await buildExecutables([hostTarget()], join(tmp, 'exe'))).built[0]!.path;
  if (!freshBundle(root, join(root, 'dist', 'cli'))) spawnSync(process.execPath, [join(root, 'scripts', 'build-cli.ts')], { stdio: 'inherit' });
  const quick = join(root, 'test/fixtures/config/seeds/quick-start.lisp');
  const big = join(tmp, 'big.lisp');
  writeFileSync(big, generate());
  const launcher = ['node', join(root, 'bin', 'sloth-kubernetes.js')];
  const nodeOnPath = spawnSync('node', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const env = { ...process.env, HOME: tmp, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', CLUSTER_ENV: 'production' };

  const sources = { SLOTH_FROM_SOURCES: '1' };
  const cases: [string, string[], Record<string, string>?][] = [
    ['terraform version', [TERRAFORM, 'version']],
    ['executable --help', [exe, '--help']],
    ['executable --version', [exe, '--version']],
    [`launcher --help (node ${nodeOnPath} on PATH)`, [...launcher, '--help']],
    ['launcher --help, from the sources', [...launcher, '--help'], sources],
    [`launcher --version`, [...launcher, '--version']],
    ['executable validate quick-start.lisp', [exe, 'validate', '-c', quick]],
    ['launcher validate quick-start.lisp', [...launcher, 'validate', '-c', quick]],
    ['launcher validate quick-start.lisp, sources', [...launcher, 'validate', '-c', quick], sources],
    ['executable validate 2,000 pools (760 KiB)', [exe, 'validate', '-c', big]],
    ['launcher validate 2,000 pools', [...launcher, 'validate', '-c', big]],
    ['launcher validate 2,000 pools, sources', [...launcher, 'validate', '-c', big], sources],
  ];
  if (!existsSync(TERRAFORM)) cases.shift();
  // Wall time, and the CPU time the command used (user + system, from bash's `times`, to the
  // millisecond): on a loaded machine the second says more about the program than the first.
  const once = ([name, [cmd, ...args], extra]: (typeof cases)[number]) => {
    const t0 = performance.now();
    const r = spawnSync('bash', ['-c', '"$@" >/dev/null || exit $?; times', 'bench', cmd!, ...args], { env: { ...env, ...extra }, encoding: 'utf8', maxBuffer: 1 << 26 });
    const wall = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${name} failed (${r.status}): ${r.stderr.slice(-1000)}`);
    const [user, sys] = [...r.stdout.trim().split('\n').at(-1)!.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => (Number(m[1]) * 60 + Number(m[2])) * 1000);
    return { wall, cpu: user! + sys! };
  };
  for (const c of cases) once(c); // the file system cache, and the launcher's compile cache, as after a first run
  const times = new Map<string, { wall: number; cpu: number }[]>(cases.map(([n]) => [n, []]));
  const load0 = loadavg()[0]!;
  for (let i = 0; i < RUNS; i++) for (const c of cases) times.get(c[0])!.push(once(c));
  const load1 = loadavg()[0]!;
  console.log(`${new Date().toISOString()}; ${RUNS} runs each, interleaved; load ${load0.toFixed(1)} → ${load1.toFixed(1)}`);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [name, ts] of times) {
    const wall = ts.map((t) => t.wall);
    console.log(
      `  ${name.padEnd(46)} wall median ${med(wall).toFixed(0).padStart(4)} ms (${Math.min(...wall).toFixed(0)}–${Math.max(...wall).toFixed(0)}), CPU median ${med(ts.map((t) => t.cpu)).toFixed(0).padStart(4)} ms`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
