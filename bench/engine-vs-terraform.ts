// The same graph on both tools: 2,000 resources in chains of 10 (each resource but every
// tenth depends on the one before), local state on both. Terraform manages them as
// `terraform_data` (built in, no provider download); we use the test provider with its cloud
// in memory (zero latency, no external object, like terraform_data) and a file:// stack.
// Measured in one run: apply from empty, then a no-change plan (Terraform) / preview (ours),
// each a fresh process under GNU time (wall time, peak RSS); plan runs are interleaved so that
// load from other processes falls on both tools alike. Our processes run with Node's compile
// cache, as the launcher (bin/sloth-kubernetes.js) enables it for every command: a warm-up
// run fills it, as a user's first command does. The first run after an install (empty cache)
// is reported on its own line. Our passphrase key derivation (PBKDF2, 1M iterations, by
// design) is measured on its own and reported on its own line; the speed-up figures leave it
// out.
//   node bench/engine-vs-terraform.ts          (needs /usr/local/bin/terraform and GNU time)
// Target: at least 10× faster than Terraform on both.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BenchStack, kdfMs, median, timed } from '../test/provider/bench-run.ts';
import type { Measured } from '../test/provider/bench-run.ts';

const TERRAFORM = process.env.TERRAFORM ?? '/usr/local/bin/terraform';
const CHAINS = 200;
const LENGTH = 10;
const N = CHAINS * LENGTH;
const PLAN_RUNS = 5;

if (!existsSync(TERRAFORM)) {
  console.error(`error: terraform not found at ${TERRAFORM} (set TERRAFORM=/path/to/terraform)`);
  process.exit(1);
}

function terraformConfig(): string {
  const blocks: string[] = [];
  for (let c = 0; c < CHAINS; c++) {
    for (let i = 0; i < LENGTH; i++) {
      const input = i === 0 ? `"v-${c}-${i}"` : `{ value = "v-${c}-${i}", prev = terraform_data.c${c}_${i - 1}.id }`;
      blocks.push(`resource "terraform_data" "c${c}_${i}" {\n  input = ${input}\n}\n`);
    }
  }
  return blocks.join('');
}

const tfDir = mkdtempSync(join(tmpdir(), 'sloth-tf-'));
const ours = new BenchStack();
try {
  const env = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  writeFileSync(join(tfDir, 'main.tf'), terraformConfig());
  const init = spawnSync(TERRAFORM, ['init', '-input=false', '-no-color'], { cwd: tfDir, env, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`terraform init failed:\n${init.stdout}${init.stderr}`);
  const version = spawnSync(TERRAFORM, ['version'], { encoding: 'utf8', env }).stdout.split('\n')[0];

  const tfApply = timed(TERRAFORM, ['apply', '-auto-approve', '-input=false', '-no-color'], { cwd: tfDir, env });
  if (!/Apply complete! Resources: 2000 added/.test(tfApply.stdout)) throw new Error(`unexpected terraform apply output:\n${tfApply.stdout.slice(-500)}`);
  // The launcher's compile cache (module.enableCompileCache), in a directory of our own.
  const cacheEnv = { ...process.env, NODE_COMPILE_CACHE: join(tfDir, 'node-compile-cache') };
  const noCacheEnv = { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' };
  const ourApply = ours.child('apply', 'memory', 'chains', N, 0, 16, cacheEnv);
  ours.child('preview', 'memory', 'chains', N, 0, 16, cacheEnv);
  const tfPlans: Measured[] = [];
  const ourPlans: ReturnType<BenchStack['child']>[] = [];
  const coldPlans: Measured[] = [];
  for (let i = 0; i < PLAN_RUNS; i++) {
    tfPlans.push(timed(TERRAFORM, ['plan', '-input=false', '-no-color', '-detailed-exitcode'], { cwd: tfDir, env }));
    ourPlans.push(ours.child('preview', 'memory', 'chains', N, 0, 16, cacheEnv));
    coldPlans.push(ours.child('preview', 'memory', 'chains', N, 0, 16, noCacheEnv));
  }
  const kdf = kdfMs() / 1000;

  const tfPlan = median(tfPlans.map((p) => p.wallS));
  const ourPlan = median(ourPlans.map((p) => p.wallS));
  const coldPlan = median(coldPlans.map((p) => p.wallS));
  const row = (name: string, s: number, mb: number) => `  ${name.padEnd(52)} ${s.toFixed(2).padStart(7)} s ${String(mb).padStart(6)} MB`;
  console.log(`${N} resources in chains of ${LENGTH}; ${version}; plan/preview: median of ${PLAN_RUNS}, interleaved`);
  console.log(row('terraform apply (from empty)', tfApply.wallS, tfApply.maxRssMB));
  console.log(row('sloth deploy (from empty)', ourApply.wallS, ourApply.maxRssMB));
  console.log(row('terraform plan (no changes)', tfPlan, Math.max(...tfPlans.map((p) => p.maxRssMB))));
  console.log(row('sloth preview (no changes)', ourPlan, Math.max(...ourPlans.map((p) => p.maxRssMB))));
  console.log(row('sloth preview, first run after install (no cache)', coldPlan, Math.max(...coldPlans.map((p) => p.maxRssMB))));
  console.log(`  of which passphrase key derivation (per process, by design): ${kdf.toFixed(2)} s`);
  const inProcess = median(ourPlans.map((p) => p.stepMs));
  console.log(`  of which the plan itself (in process, after the stack is open): ${(inProcess / 1000).toFixed(3)} s`);
  const applyX = tfApply.wallS / (ourApply.wallS - kdf);
  const planX = tfPlan / (ourPlan - kdf);
  console.log(`speed-up without key derivation: apply ${applyX.toFixed(1)}×, plan ${planX.toFixed(1)}×   [target ≥ 10× on both]`);
  console.log(`  (with it: apply ${(tfApply.wallS / ourApply.wallS).toFixed(1)}×, plan ${(tfPlan / ourPlan).toFixed(1)}×; first run after install: plan ${(tfPlan / (coldPlan - kdf)).toFixed(1)}×)`);
  if (applyX < 10 || planX < 10) process.exitCode = 1;
} finally {
  rmSync(tfDir, { recursive: true, force: true });
  ours.cleanup();
}
