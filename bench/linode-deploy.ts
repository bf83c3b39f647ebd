// The Linode path's own cost: `deploy --no-bootstrap` of a Linode cluster (3 masters behind
// the API NodeBalancer, N workers, DNS records in a Linode zone) as a CLI process against the
// stand-in, then a deploy with no change and a destroy; once straight to the stand-in and once
// through `prism proxy` with Linode's contract (the contract check's price). Instances
// provision in 50 ms, so the figures are ours, not a cloud's.
// Run: node bench/linode-deploy.ts [workers]   (default 20)
import { startLinodeStandin, STANDIN_TOKEN } from '../test/standins/linode/server.ts';
import { LINODE_SPEC, startPrismProxy } from '../test/standins/prism.ts';
import { mergeClosedAllOf, specForPrism } from '../test/standins/errata.ts';
import { cycleLine, deployCycle } from './lib/deploy-cycle.ts';

const workers = Number(process.argv[2] ?? 20);
const fixture = new URL('../test/e2e/linode/fixtures/multi-node.lisp', import.meta.url);

async function round(viaPrism: boolean): Promise<void> {
  const standin = await startLinodeStandin({ domains: ['example.com'], bootMs: 50 });
  const prism = viaPrism ? await startPrismProxy(specForPrism(LINODE_SPEC, [mergeClosedAllOf]), standin.url) : undefined;
  try {
    const c = await deployCycle({ stack: 'linode-ha', fixture, workers, env: { LINODE_TOKEN: STANDIN_TOKEN, LINODE_API_URL: prism?.url ?? standin.url }, calls: () => standin.log.length, held: () => standin.inventory() });
    await prism?.assertClean({ expectTraffic: true });
    console.log(cycleLine(c, `${(viaPrism ? 'through prism' : 'direct').padEnd(14)} ${c.held.instances} instances, ${c.held.nodes} balancer nodes, ${c.held.records} records`));
  } finally {
    await prism?.stop();
    await standin.close();
  }
}

await round(false);
await round(true);
