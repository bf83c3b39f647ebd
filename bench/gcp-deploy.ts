// The GCP path's own cost: `deploy --no-bootstrap` of the HA fixture (3 masters, N workers,
// address + target pool + forwarding rule, Cloud DNS) as a CLI process against the GCP
// stand-in (HTTPS, every Compute Engine request and answer checked against the client's
// protobuf descriptors), then a deploy with no change and a destroy. Operations finish after
// 50 ms, so the figures are ours (and the clients'), not a cloud's.
// Run: node bench/gcp-deploy.ts [workers]   (default 10)
import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cleanEnv, runProcess } from '../test/helpers/cli.ts';
import { startGcpApi } from '../test/standins/gcp/harness.ts';

const workers = Number(process.argv[2] ?? 10);
const fixture = new URL('../test/e2e/gcp/fixtures/gcp-ha.lisp', import.meta.url);
const api = await startGcpApi({ zones: ['example.com'], operationMs: 50, cpuQuota: 1000, addressQuota: 1000 });
const dir = mkdtempSync(join(tmpdir(), 'sloth-bench-gcp-'));
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
  await run(['stacks', 'create', 'gc-ha']);
  const calls0 = api.standin.log.length;
  const tDeploy = await run(['deploy', 'gc-ha', '-c', config, '--no-bootstrap', '--yes']);
  const calls = api.standin.log.length - calls0;
  const inv = api.standin.inventory();
  const tAgain = await run(['deploy', 'gc-ha', '-c', config, '--no-bootstrap', '--yes']);
  const tDestroy = await run(['destroy', 'gc-ha', '--yes']);
  api.standin.assertClean();
  console.log(`${inv.instance} instances, ${inv.firewall} firewall rules, ${inv.record} records: deploy ${(tDeploy / 1000).toFixed(2)} s (${calls} API calls), no-change deploy ${(tAgain / 1000).toFixed(2)} s, destroy ${(tDestroy / 1000).toFixed(2)} s; load ${loadavg()[0]!.toFixed(1)}`);
} finally {
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
}
