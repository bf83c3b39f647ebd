// The DigitalOcean path's own cost: `deploy --no-bootstrap` of the multi-node variant (3
// masters, N workers, API load balancer, DNS) as a CLI process against the stand-in, then a
// deploy with no change and a destroy; once straight to the stand-in and once through
// `prism proxy` with DigitalOcean's contract (the contract check's price). Actions complete
// after 50 ms, so the figures are ours, not a cloud's.
// Run: node bench/do-deploy.ts [workers]   (default 20)
import { startDoStandin, STANDIN_TOKEN } from '../test/standins/digitalocean/server.ts';
import { DIGITALOCEAN_SPEC, startPrismProxy } from '../test/standins/prism.ts';
import { cycleLine, deployCycle } from './lib/deploy-cycle.ts';

const workers = Number(process.argv[2] ?? 20);
const fixture = new URL('../test/e2e/digitalocean/fixtures/multi-node.lisp', import.meta.url);

async function round(viaPrism: boolean): Promise<void> {
  const standin = await startDoStandin({ domains: ['example.com'], actionMs: 50, loadBalancerMs: 100, dropletGoneMs: 20, dropletLimit: workers + 10 });
  const prism = viaPrism ? await startPrismProxy(DIGITALOCEAN_SPEC, standin.url) : undefined;
  try {
    const c = await deployCycle({ stack: 'do-ha', fixture, workers, env: { DIGITALOCEAN_TOKEN: STANDIN_TOKEN, DIGITALOCEAN_API_URL: prism?.url ?? standin.url }, calls: () => standin.log.length, held: () => standin.inventory() });
    await prism?.assertClean({ expectTraffic: true });
    console.log(cycleLine(c, `${(viaPrism ? 'through prism' : 'direct').padEnd(14)} ${c.held.droplets} droplets, ${c.held.records} records`));
  } finally {
    await prism?.stop();
    await standin.close();
  }
}

await round(false);
await round(true);
