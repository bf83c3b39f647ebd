// The Hetzner Cloud path's own cost: `deploy --no-bootstrap` of a Hetzner cluster (3 masters
// in a spread group behind the load balancer, N workers) as a CLI process against the
// stand-in, then a deploy with no change and a destroy; once straight to the stand-in and once
// through `prism proxy` with the Hetzner contract (the contract check's price). Actions take
// 50 ms, so the figures are ours, not a cloud's.
// Run: node bench/hetzner-deploy.ts [workers]   (default 20)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cleanEnv, runProcess } from '../test/helpers/cli.ts';
import { startHetznerStandin, STANDIN_TOKEN } from '../test/standins/hetzner/server.ts';
import { HETZNER_SPEC, startPrismProxy } from '../test/standins/prism.ts';
import { specForPrism, upperCaseStatusRanges } from '../test/standins/errata.ts';

const workers = Number(process.argv[2] ?? 20);
const fixture = new URL('../test/e2e/hetzner/fixtures/hetzner.lisp', import.meta.url);

async function round(viaPrism: boolean): Promise<void> {
  const standin = await startHetznerStandin({ actionMs: 50 });
  const prism = viaPrism ? await startPrismProxy(specForPrism(HETZNER_SPEC, [upperCaseStatusRanges]), standin.url) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sloth-bench-hetzner-'));
  try {
    const config = join(dir, 'cluster.lisp');
    writeFileSync(config, readFileSync(fixture, 'utf8').replace(/\(count 2\)/, `(count ${workers})`));
    const env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'bench', SLOTH_OPERATOR_CIDRS: '198.51.100.7/32', CI: 'true', HCLOUD_TOKEN: STANDIN_TOKEN, HCLOUD_ENDPOINT: prism?.url ?? standin.url });
    const run = async (args: string[]) => {
      const t0 = performance.now();
      const r = await runProcess(args, { env });
      if (r.code !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stderr.slice(-2000)}`);
      return performance.now() - t0;
    };
    await run(['stacks', 'create', 'hz-ha']);
    const calls0 = standin.log.length;
    const tDeploy = await run(['deploy', 'hz-ha', '-c', config, '--no-bootstrap', '--yes']);
    const calls = standin.log.length - calls0;
    const held = standin.inventory();
    const tAgain = await run(['deploy', 'hz-ha', '-c', config, '--no-bootstrap', '--yes']);
    const tDestroy = await run(['destroy', 'hz-ha', '--yes']);
    await prism?.assertClean({ expectTraffic: true });
    const label = viaPrism ? 'through prism' : 'direct';
    console.log(`${label.padEnd(14)} ${held.servers} servers, ${held.firewalls} firewalls, ${held.loadBalancers} balancer: deploy ${(tDeploy / 1000).toFixed(2)} s (${calls} API calls), no-change deploy ${(tAgain / 1000).toFixed(2)} s, destroy ${(tDestroy / 1000).toFixed(2)} s`);
  } finally {
    await prism?.stop();
    await standin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await round(false);
await round(true);
