// The Linode path's own cost: `deploy --no-bootstrap` of a Linode cluster (3 masters behind
// the API NodeBalancer, N workers, DNS records in a Linode zone) as a CLI process against the
// stand-in, then a deploy with no change and a destroy; once straight to the stand-in and once
// through `prism proxy` with Linode's contract (the contract check's price). Instances
// provision in 50 ms, so the figures are ours, not a cloud's.
// Run: node bench/linode-deploy.ts [workers]   (default 20)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cleanEnv, runProcess } from '../test/helpers/cli.ts';
import { startLinodeStandin, STANDIN_TOKEN } from '../test/standins/linode/server.ts';
import { LINODE_SPEC, startPrismProxy } from '../test/standins/prism.ts';
import { mergeClosedAllOf, specForPrism } from '../test/standins/errata.ts';

const workers = Number(process.argv[2] ?? 20);
const fixture = new URL('../test/e2e/linode/fixtures/multi-node.lisp', import.meta.url);

async function round(viaPrism: boolean): Promise<void> {
  const standin = await startLinodeStandin({ domains: ['example.com'], bootMs: 50 });
  const prism = viaPrism ? await startPrismProxy(specForPrism(LINODE_SPEC, [mergeClosedAllOf]), standin.url) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sloth-bench-linode-'));
  try {
    const config = join(dir, 'cluster.lisp');
    writeFileSync(config, readFileSync(fixture, 'utf8').replace(/\(count 2\)/, `(count ${workers})`));
    const env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'bench', SLOTH_OPERATOR_CIDRS: '198.51.100.7/32', CI: 'true', LINODE_TOKEN: STANDIN_TOKEN, LINODE_API_URL: prism?.url ?? standin.url });
    const run = async (args: string[]) => {
      const t0 = performance.now();
      const r = await runProcess(args, { env });
      if (r.code !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stderr.slice(-2000)}`);
      return performance.now() - t0;
    };
    await run(['stacks', 'create', 'linode-ha']);
    const calls0 = standin.log.length;
    const tDeploy = await run(['deploy', 'linode-ha', '-c', config, '--no-bootstrap', '--yes']);
    const calls = standin.log.length - calls0;
    const held = standin.inventory();
    const tAgain = await run(['deploy', 'linode-ha', '-c', config, '--no-bootstrap', '--yes']);
    const tDestroy = await run(['destroy', 'linode-ha', '--yes']);
    await prism?.assertClean({ expectTraffic: true });
    const label = viaPrism ? 'through prism' : 'direct';
    console.log(`${label.padEnd(14)} ${held.instances} instances, ${held.nodes} balancer nodes, ${held.records} records: deploy ${(tDeploy / 1000).toFixed(2)} s (${calls} API calls), no-change deploy ${(tAgain / 1000).toFixed(2)} s, destroy ${(tDestroy / 1000).toFixed(2)} s`);
  } finally {
    await prism?.stop();
    await standin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await round(false);
await round(true);
