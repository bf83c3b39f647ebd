// The Azure path's own cost: `deploy --no-bootstrap` of the HA fixture (3 masters, N workers,
// Standard load balancer, Azure DNS) as a CLI process against the Azure stand-in (HTTPS, every
// request and answer checked against the SDK's mappers), then a deploy with no change and a
// destroy. Long-running operations finish after 50 ms, but the SDK's pollers wait the
// `Retry-After: 1` the stand-in announces (as ARM does), so deploy and destroy are bound by
// the chain of operations (resource group → network → subnet → interface → VM …), not by us.
// Run: node bench/azure-deploy.ts [workers]   (default 10)
import { loadavg } from 'node:os';
import { startAzureApi } from '../test/standins/azure/harness.ts';
import { cycleLine, deployCycle } from './lib/deploy-cycle.ts';

const workers = Number(process.argv[2] ?? 10);
const api = await startAzureApi({ zones: ['example.com'], operationMs: 50, coresLimit: 1000, familyLimit: 1000 });
try {
  const c = await deployCycle({ stack: 'az-ha', fixture: new URL('../test/e2e/azure/fixtures/azure-ha.lisp', import.meta.url), workers, env: api.env, calls: () => api.standin.log.length, held: () => api.standin.inventory() });
  api.standin.assertClean();
  console.log(`${cycleLine(c, `${c.held.vm} VMs, ${c.held.rule} NSG rules, ${c.held.record} records`)}; load ${loadavg()[0]!.toFixed(1)}`);
} finally {
  await api.stop();
}
