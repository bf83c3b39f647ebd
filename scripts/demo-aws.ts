// A whole deploy on this machine with no cloud account: starts the local AWS emulator (moto)
// on a free port, creates a throwaway encrypted stack in a temporary backend, deploys the
// seed's "AWS Production Cluster" (machines, network, firewalls, load balancer; no
// Kubernetes install, since emulated instances are not machines), shows the stack outputs
// and the nodes, destroys everything, and stops the emulator.
//
//   npm run demo:aws            (or: node scripts/demo-aws.ts [config.lisp])
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MOTO_MISSING, motoAvailable, startAwsEmulator } from '../test/e2e/aws/moto-aws.ts';
import type { AwsEmulator } from '../test/e2e/aws/moto-aws.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const launcher = join(root, 'bin', 'sloth-kubernetes.js');
const config = resolve(process.argv[2] ?? join(root, 'test/fixtures/config/seeds/aws-production.lisp'));
const STACK = 'demo';

function step(title: string): void {
  // Bold on a terminal only: a piped or logged demo holds no escape code.
  process.stdout.write(process.stdout.isTTY ? `\n\x1b[1m== ${title}\x1b[0m\n` : `\n== ${title}\n`);
}

function cli(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<void> {
  process.stdout.write(`$ sloth-kubernetes ${args.join(' ')}\n`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [launcher, ...args], { env, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'inherit', 'inherit'] });
    if (stdin !== undefined) child.stdin!.end(stdin);
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done() : fail(new Error(`sloth-kubernetes ${args[0]} exited with ${code}`))));
  });
}

async function main(): Promise<number> {
  if (!motoAvailable()) {
    process.stderr.write(`${MOTO_MISSING.replace('; skipping', '')}: the demo needs the AWS emulator.\n`);
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sloth-demo-'));
  let emu: AwsEmulator | undefined;
  const cleanup = async () => {
    await emu?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    step('Starting the AWS emulator (moto) on loopback');
    emu = (await startAwsEmulator())!;
    process.stdout.write(`moto listens on ${emu.endpoint}\n`);
    // Only the emulator's dummy credentials: nothing from a real AWS account is used.
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('PULUMI_')));
    const passphrase = randomBytes(12).toString('hex');
    const env = { ...base, ...emu.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: passphrase };

    step(`A throwaway encrypted stack in ${dir}`);
    await cli(['stacks', 'create', STACK, '--password-stdin'], env, `${passphrase}\n`);
    step(`Deploying ${config} (infrastructure only: --no-bootstrap)`);
    await cli(['deploy', STACK, '--config', config, '--no-bootstrap', '--operator-cidr', '203.0.113.10/32', '--yes'], env);
    step('Stack outputs');
    await cli(['stacks', 'output', STACK], env);
    step('Nodes');
    await cli(['nodes', 'list', STACK], env);
    step('Destroying everything');
    await cli(['destroy', STACK, '--yes'], env);
    step('Done: the emulator is stopped and the temporary backend removed');
    return 0;
  } catch (err) {
    process.stderr.write(`demo failed: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await cleanup();
  }
}

process.exitCode = await main();
