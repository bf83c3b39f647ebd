// The Azure path's own cost: `deploy --no-bootstrap` of the HA fixture (3 masters, N workers,
// Standard load balancer, Azure DNS) as a CLI process against the Azure stand-in (HTTPS, every
// request and answer checked against the SDK's mappers), then a deploy with no change and a
// destroy. Long-running operations finish after 50 ms, but the SDK's pollers wait the
// `Retry-After: 1` the stand-in announces (as ARM does), so deploy and destroy are bound by
// the chain of operations (resource group → network → subnet → interface → VM …), not by us.
// Run: node bench/azure-deploy.ts [workers]   (default 10)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadavg, tmpdir } from 'node:os';
import { cleanEnv, runProcess } from '../test/helpers/cli.ts';
import { startAzureApi } from '../test/standins/azure/harness.ts';

const workers = Number(process.argv[2] ?? 10);
const fixture = new URL('../test/e2e/azure/fixtures/azure-ha.lisp', import.meta.url);
const api = await startAzureApi({ zones: ['example.com'], operationMs: 50, coresLimit: 1000, familyLimit: 1000 });
const dir = mkdtempSync(join(tmpdir(), 'sloth-bench-azure-'));
try {
  const config = join(dir, 'cluster.lisp');
  writeFileSync(config, readFileSync(fixture, 'utf8').replace(/\(count 2\)/, `(count ${workers})`));
  const env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'bench', SLOTH_OPERATOR_CIDRS: '198.51.100.7/32', CI: 'true', ...api.env });
  const run = async (args: string[]) => {
    const t0 = performance.now();
    const r = await runProcess(args, { env });
    if (r.code !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stderr.slice(-2000)}`);
    return performance.now() - t0;
  };
  await run(['stacks', 'create', 'az-ha']);
  const calls0 = api.standin.log.length;
  const tDeploy = await run(['deploy', 'az-ha', '-c', config, '--no-bootstrap', '--yes']);
  const calls = api.standin.log.length - calls0;
  const inv = api.standin.inventory();
  const tAgain = await run(['deploy', 'az-ha', '-c', config, '--no-bootstrap', '--yes']);
  const tDestroy = await run(['destroy', 'az-ha', '--yes']);
  api.standin.assertClean();
  console.log(`${inv.vm} VMs, ${inv.rule} NSG rules, ${inv.record} records: deploy ${(tDeploy / 1000).toFixed(2)} s (${calls} API calls), no-change deploy ${(tAgain / 1000).toFixed(2)} s, destroy ${(tDestroy / 1000).toFixed(2)} s; load ${loadavg()[0]!.toFixed(1)}`);
} finally {
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
}
