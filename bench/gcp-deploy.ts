// The GCP path's own cost: `deploy --no-bootstrap` of the HA fixture (3 masters, N workers,
// address + target pool + forwarding rule, Cloud DNS) as a CLI process against the GCP
// stand-in (HTTPS, every Compute Engine request and answer checked against the client's
// protobuf descriptors), then a deploy with no change and a destroy. Operations finish after
// 50 ms, so the figures are ours (and the clients'), not a cloud's.
// Run: node bench/gcp-deploy.ts [workers]   (default 10)
import { loadavg } from 'node:os';
import { startGcpApi } from '../test/standins/gcp/harness.ts';
import { cycleLine, deployCycle } from './lib/deploy-cycle.ts';

const workers = Number(process.argv[2] ?? 10);
const api = await startGcpApi({ zones: ['example.com'], operationMs: 50, cpuQuota: 1000, addressQuota: 1000 });
try {
  const c = await deployCycle({ stack: 'gc-ha', fixture: new URL('../test/e2e/gcp/fixtures/gcp-ha.lisp', import.meta.url), workers, env: api.env, calls: () => api.standin.log.length, held: () => api.standin.inventory() });
  api.standin.assertClean();
  console.log(`${cycleLine(c, `${c.held.instance} instances, ${c.held.firewall} firewall rules, ${c.held.record} records`)}; load ${loadavg()[0]!.toFixed(1)}`);
} finally {
  await api.stop();
}
