// The full deploy of the seed's "AWS Production Cluster" against moto on loopback, as the
// user runs it: a CLI process, `deploy --no-bootstrap` from an empty stack (pre-flight, 55
// resources, 14 instances), then a no-change deploy, a refresh and a destroy. Target: the
// deploy under 60 s (docs/architecture.md). Each round uses a fresh moto.
//
//   node bench/aws-deploy.ts [rounds]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MOTO_MISSING, motoAvailable, startAwsEmulator } from '../test/e2e/aws/moto-aws.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const launcher = join(root, 'bin', 'sloth-kubernetes.js');
const SEED = join(root, 'test/fixtures/config/seeds/aws-production.lisp');
const rounds = Number(process.argv[2] ?? 3);

function run(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [launcher, ...args], { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(stdin ?? '');
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(performance.now() - t0) : fail(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-800)}`))));
  });
}

if (!motoAvailable()) {
  console.log(MOTO_MISSING);
  process.exit(0);
}

const results: Record<string, number[]> = { deploy: [], 'no-change deploy': [], refresh: [], destroy: [] };
for (let i = 0; i < rounds; i++) {
  const emu = (await startAwsEmulator())!;
  const dir = mkdtempSync(join(tmpdir(), 'sloth-bench-aws-'));
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('PULUMI_')));
  const env = { ...base, ...emu.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: 'bench passphrase', CI: 'true' };
  try {
    await run(['stacks', 'create', 'bench', '--password-stdin'], env, 'bench passphrase\n');
    const deployArgs = ['deploy', 'bench', '--config', SEED, '--no-bootstrap', '--operator-cidr', '203.0.113.7/32', '--yes'];
    results['deploy']!.push(await run(deployArgs, env));
    results['no-change deploy']!.push(await run(deployArgs, env));
    results['refresh']!.push(await run(['refresh', 'bench'], env));
    results['destroy']!.push(await run(['destroy', 'bench', '--yes'], env));
  } finally {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`AWS production example (55 resources, 14 instances) against moto, CLI process, ${rounds} round(s):`);
for (const [name, xs] of Object.entries(results)) {
  console.log(`  ${name.padEnd(18)} median ${(median(xs) / 1000).toFixed(2)} s   (${xs.map((x) => (x / 1000).toFixed(2)).join(', ')})`);
}
console.log(`target: deploy < 60 s — ${median(results['deploy']!) < 60_000 ? 'met' : 'NOT met'}`);
