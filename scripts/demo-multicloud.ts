// The seed's Multi-Cloud HA cluster deployed on this machine with no cloud account: starts
// the AWS emulator (moto) and the DigitalOcean and Linode stand-ins (each behind `prism proxy`
// with the vendor's OpenAPI contract) on loopback, creates a throwaway encrypted stack in a
// temporary backend, deploys the example (one plan, one WireGuard mesh across three clouds;
// machines, networks, firewalls, the API load balancer; no Kubernetes install, since emulated
// machines are not machines), shows the stack outputs and the nodes, destroys everything,
// checks that the contracts saw no violation, and stops what it started.
//
//   npm run demo:multicloud            (or: node scripts/demo-multicloud.ts [config.lisp])
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MOTO_MISSING, motoAvailable, startAwsEmulator, type AwsEmulator } from '../test/e2e/aws/moto-aws.ts';
import { startDoApi, type DoApi } from '../test/standins/digitalocean/harness.ts';
import { startLinodeApi, type LinodeApi } from '../test/standins/linode/harness.ts';
import { startHetznerApi, type HetznerApi } from '../test/standins/hetzner/harness.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const launcher = join(root, 'bin', 'sloth-kubernetes.js');
const config = resolve(process.argv[2] ?? join(root, 'test/fixtures/config/seeds/multi-cloud-ha.lisp'));
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
  let aws: AwsEmulator | undefined;
  let digitalocean: DoApi | undefined;
  let linode: LinodeApi | undefined;
  let hetzner: HetznerApi | undefined;
  const cleanup = async () => {
    await Promise.allSettled([aws?.stop(), digitalocean?.stop(), linode?.stop(), hetzner?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    step('Starting the AWS emulator (moto) and the DigitalOcean, Linode and Hetzner stand-ins (behind prism) on loopback');
    [aws, digitalocean, linode, hetzner] = await Promise.all([startAwsEmulator().then((e) => e!), startDoApi(), startLinodeApi(), startHetznerApi()]);
    process.stdout.write(`moto: ${aws.endpoint}\nDigitalOcean: ${digitalocean.apiUrl}\nLinode: ${linode.apiUrl}\nHetzner: ${hetzner.apiUrl}\n`);
    // Only the emulators' own credentials: nothing from a real cloud account is used.
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|PULUMI_|DIGITALOCEAN_|LINODE_|HCLOUD_)/.test(k)));
    const passphrase = randomBytes(12).toString('hex');
    const env = { ...base, ...aws.env, ...digitalocean.env, ...linode.env, ...hetzner.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: passphrase };

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
    step('Contracts: every request and answer checked by prism');
    for (const [name, api] of [['DigitalOcean', digitalocean], ['Linode', linode], ['Hetzner', hetzner]] as const) {
      await api.prism.assertClean();
      process.stdout.write(`${name}: ${api.prism.requests()} request(s), no violation\n`);
    }
    step('Done: the emulators are stopped and the temporary backend removed');
    return 0;
  } catch (err) {
    process.stderr.write(`demo failed: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await cleanup();
  }
}

process.exitCode = await main();
