// The same graph on both tools, each run as a whole process the way a user runs it: N
// resources in chains of 10 (every resource but the first of a chain depends on the one
// before), local state on both, written once as a config file for each (main.tf for
// Terraform, a graph file for us). Terraform manages them as `terraform_data` (built in, no
// provider download, no external object); we deploy them through the CLI's own flow
// (test/provider/cli-child.ts: open the stack, derive the key from the passphrase, plan,
// render, apply, audit) with the test provider's cloud in memory, in a fresh Node 24 process
// with the compile cache on, as the launcher runs every command: from a folder bundle made
// here as `npm ci` makes the launcher's (scripts/bundle.ts), checked against the sources at
// every start (test/provider/bundled-child.ts). The no-change preview is also run from the
// sources (what the launcher runs after a source was edited, or with SLOTH_FROM_SOURCES=1).
//
// For each N: apply from empty (a fresh state each run) and a no-change plan / preview, runs
// paired and interleaved (Terraform, then us, then Terraform…) so that load from other
// processes falls on both alike; wall time and peak memory of each process under GNU time;
// median and min–max. Our passphrase key derivation (PBKDF2, 1M iterations) is inside every
// apply figure and shown on its own line; a preview derives the key only if it reads a secret
// (this stack's one secret, the audit log's anchor in the root outputs, a no-change preview
// does not read), though it asks for the passphrase.
//
// Terraform's apply grows about as N² (one apply of 2,000 takes a minute, of 5,000 several),
// so above --tf-apply-max (default 2,000) it is not run: Terraform's plan then starts from the
// state file its apply would have written (same attributes and dependencies, built here), and
// only our deploy is timed.
//
//   node bench/engine-vs-terraform.ts [N …] [--runs 5] [--apply-runs R] [--tf-apply-max 2000]
//   default N: 500 2000 5000 20000. Terraform from scripts/test-peers terraform (or $TERRAFORM).
// Targets (issue 19): no-change preview ≥ 10× faster than `terraform plan` at 2,000, ≥ 5× at 500.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { kdfMs, median, timed } from '../test/provider/bench-run.ts';
import type { Measured } from '../test/provider/bench-run.ts';
import type { GraphEntry } from '../test/provider/cli-child.ts';
import { PEERS_BIN } from '../test/helpers/parts.ts';
import { bundleFolder } from '../scripts/bundle.ts';

const TERRAFORM = process.env.TERRAFORM ?? join(PEERS_BIN, 'terraform');
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('../test/provider/cli-child.ts', import.meta.url));
const BUNDLED_CHILD = fileURLToPath(new URL('../test/provider/bundled-child.ts', import.meta.url));
const LAUNCHER = fileURLToPath(new URL('../bin/sloth-kubernetes.js', import.meta.url));
const LENGTH = 10;
const PASSPHRASE = 'bench-passphrase';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args.splice(i, 2)[1]);
  return v;
};
const RUNS = option('--runs', 5);
const APPLY_RUNS = option('--apply-runs', RUNS);
const TF_APPLY_MAX = option('--tf-apply-max', 2000);
const SIZES = args.length > 0 ? args.map(Number) : [500, 2000, 5000, 20000];

if (!existsSync(TERRAFORM)) {
  console.error(`error: terraform not found at ${TERRAFORM}: build it with scripts/test-peers terraform (or set TERRAFORM=/path/to/terraform)`);
  process.exit(1);
}

function graph(n: number): GraphEntry[] {
  const out: GraphEntry[] = [];
  for (let c = 0; c < n / LENGTH; c++) {
    for (let i = 0; i < LENGTH; i++) out.push({ name: `c${c}_${i}`, input: `v-${c}-${i}`, ...(i > 0 ? { after: `c${c}_${i - 1}` } : {}) });
  }
  return out;
}

function terraformConfig(entries: GraphEntry[]): string {
  return entries
    .map((r) => `resource "terraform_data" "${r.name}" {\n  input = ${r.after ? `{ value = "${r.input}", prev = terraform_data.${r.after}.id }` : `"${r.input}"`}\n}\n`)
    .join('');
}

/** The state `terraform apply` writes for these resources (format version 4, terraform_data schema 0). */
function terraformState(entries: GraphEntry[]): string {
  const ids = new Map(entries.map((r) => [r.name, randomUUID()]));
  const resources = entries.map((r) => {
    const value = r.after ? { prev: ids.get(r.after), value: r.input } : r.input;
    const type = r.after ? ['object', { prev: 'string', value: 'string' }] : 'string';
    return {
      mode: 'managed',
      type: 'terraform_data',
      name: r.name,
      provider: 'provider["terraform.io/builtin/terraform"]',
      instances: [
        {
          schema_version: 0,
          attributes: { id: ids.get(r.name), input: { value, type }, output: { value, type }, triggers_replace: null },
          sensitive_attributes: [],
          ...(r.after ? { dependencies: [`terraform_data.${r.after}`] } : {}),
        },
      ],
    };
  });
  return JSON.stringify({ version: 4, terraform_version: '1.5.7', serial: 1, lineage: randomUUID(), outputs: {}, resources, check_results: null });
}

const fmt = (xs: Measured[]) => {
  if (xs.length === 0) return 'not run'.padEnd(27);
  const w = xs.map((m) => m.wallS);
  return `${median(w).toFixed(3)} s (${Math.min(...w).toFixed(3)}–${Math.max(...w).toFixed(3)}), ${median(xs.map((m) => m.maxRssMB))} MB`;
};

const version = spawnSync(TERRAFORM, ['version'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } }).stdout.split('\n')[0];
console.log(`${new Date().toISOString()}; ${version}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; apply: ${APPLY_RUNS} pairs, plan: ${RUNS} pairs, interleaved`);

// The CLI's flow bundled as the launcher's is (npm ci: scripts/build-cli.ts).
mkdirSync(join(ROOT, 'dist'), { recursive: true });
const bundle = mkdtempSync(join(ROOT, 'dist', 'bench-cli-'));
writeFileSync(join(bundle, 'sources.json'), JSON.stringify(await bundleFolder(bundle, [CHILD])));
process.on('exit', () => rmSync(bundle, { recursive: true, force: true }));

for (const n of SIZES) {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-vs-tf-'));
  try {
    const entries = graph(n);
    const tfDir = join(dir, 'tf');
    mkdirSync(tfDir);
    writeFileSync(join(tfDir, 'main.tf'), terraformConfig(entries));
    const graphFile = join(dir, 'graph.json');
    writeFileSync(graphFile, JSON.stringify(entries));
    const tfEnv = { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
    const init = spawnSync(TERRAFORM, ['init', '-input=false', '-no-color'], { cwd: tfDir, env: tfEnv, encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`terraform init failed:\n${init.stdout}${init.stderr}`);
    const ourEnv = (backend: string) => ({ HOME: dir, PATH: process.env.PATH, PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, NODE_COMPILE_CACHE: join(dir, 'compile-cache') });
    const ours = (command: 'preview' | 'deploy', backend: string) => timed(process.execPath, [BUNDLED_CHILD, bundle, command, 'bench', graphFile], { env: ourEnv(backend) });
    const fromSources = (backend: string) => timed(process.execPath, [CHILD, 'preview', 'bench', graphFile], { env: ourEnv(backend) });
    const newStack = (backend: string) => {
      const r = spawnSync(process.execPath, [LAUNCHER, 'stacks', 'create', 'bench'], { env: ourEnv(backend), encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`stacks create failed: ${r.stderr}`);
    };

    const tfApplies: Measured[] = [];
    const ourApplies: Measured[] = [];
    let backend = '';
    for (let i = 0; i < APPLY_RUNS; i++) {
      if (n <= TF_APPLY_MAX) {
        rmSync(join(tfDir, 'terraform.tfstate'), { force: true });
        rmSync(join(tfDir, 'terraform.tfstate.backup'), { force: true });
        const tf = timed(TERRAFORM, ['apply', '-auto-approve', '-input=false', '-no-color'], { cwd: tfDir, env: tfEnv });
        if (!new RegExp(`Apply complete! Resources: ${n} added`).test(tf.stdout)) throw new Error(`unexpected terraform apply output:\n${tf.stdout.slice(-500)}`);
        tfApplies.push(tf);
      } else if (i === 0) writeFileSync(join(tfDir, 'terraform.tfstate'), terraformState(entries));
      backend = join(dir, `backend-${i}`);
      newStack(backend);
      const us = ours('deploy', backend);
      if (!us.stdout.includes(`Resources: ${n + 1} created`)) throw new Error(`unexpected deploy output:\n${us.stdout.slice(-500)}`);
      ourApplies.push(us);
    }
    const tfPlans: Measured[] = [];
    const ourPlans: Measured[] = [];
    const sourcePlans: Measured[] = [];
    const noChanges = (m: Measured) => {
      if (!m.stdout.includes('No changes.')) throw new Error(`preview found changes:\n${m.stdout.slice(-500)}`);
      return m;
    };
    for (let i = 0; i < RUNS; i++) {
      const tf = timed(TERRAFORM, ['plan', '-input=false', '-no-color', '-detailed-exitcode'], { cwd: tfDir, env: tfEnv });
      if (!tf.stdout.includes('No changes.')) throw new Error(`terraform plan found changes:\n${tf.stdout.slice(-500)}`);
      tfPlans.push(tf);
      ourPlans.push(noChanges(ours('preview', backend)));
      sourcePlans.push(noChanges(fromSources(backend)));
    }
    const ratio = (a: Measured[], b: Measured[]) => (a.length === 0 ? '' : `${(median(a.map((m) => m.wallS)) / median(b.map((m) => m.wallS))).toFixed(1)}×`);
    console.log(`N = ${n} (load ${loadavg()[0]!.toFixed(1)})`);
    console.log(`  apply from empty      terraform ${fmt(tfApplies)}   sloth ${fmt(ourApplies)}   ${ratio(tfApplies, ourApplies)}`);
    console.log(`  no-change plan        terraform ${fmt(tfPlans)}   sloth ${fmt(ourPlans)}   ${ratio(tfPlans, ourPlans)}`);
    console.log(`    from the sources    ${' '.repeat(10 + fmt(tfPlans).length)}   sloth ${fmt(sourcePlans)}   ${ratio(tfPlans, sourcePlans)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`key derivation alone (PBKDF2-HMAC-SHA256, 1M iterations; inside each sloth figure above): ${(kdfMs() / 1000).toFixed(2)} s`);
