// The Hetzner Cloud path's own cost: `deploy --no-bootstrap` of a Hetzner cluster (3 masters
// in a spread group behind the load balancer, N workers) as a CLI process against the
// stand-in, then a deploy with no change and a destroy; once straight to the stand-in and once
// through `prism proxy` with the Hetzner contract (the contract check's price). Actions take
// 50 ms, so the figures are ours, not a cloud's.
// Run: node bench/hetzner-deploy.ts [workers]   (default 20)
import { startHetznerStandin, STANDIN_TOKEN } from '../test/standins/hetzner/server.ts';
import { HETZNER_SPEC, startPrismProxy } from '../test/standins/prism.ts';
import { specForPrism, upperCaseStatusRanges } from '../test/standins/errata.ts';
import { cycleLine, deployCycle } from './lib/deploy-cycle.ts';

const workers = Number(process.argv[2] ?? 20);
const fixture = new URL('../test/e2e/hetzner/fixtures/hetzner.lisp', import.meta.url);

async function round(viaPrism: boolean): Promise<void> {
  const standin = await startHetznerStandin({ actionMs: 50 });
  const prism = viaPrism ? await startPrismProxy(specForPrism(HETZNER_SPEC, [upperCaseStatusRanges]), standin.url) : undefined;
  try {
    const c = await deployCycle({ stack: 'hz-ha', fixture, workers, env: { HCLOUD_TOKEN: STANDIN_TOKEN, HCLOUD_ENDPOINT: prism?.url ?? standin.url }, calls: () => standin.log.length, held: () => standin.inventory() });
    await prism?.assertClean({ expectTraffic: true });
    console.log(cycleLine(c, `${(viaPrism ? 'through prism' : 'direct').padEnd(14)} ${c.held.servers} servers, ${c.held.firewalls} firewalls, ${c.held.loadBalancers} balancer`));
  } finally {
    await prism?.stop();
    await standin.close();
  }
}

await round(false);
await round(true);
