// The whole path on the real DigitalOcean (../real-cloud.ts): the smallest cluster, fully
// bootstrapped, ready API, a user manifest in sync; destroyed in any case. It costs money and
// minutes, so it runs only when asked:
//   SLOTH_E2E=1 DIGITALOCEAN_TOKEN=… node --test test/e2e/digitalocean/real.test.ts
// Optional: SLOTH_E2E_DO_REGION (default nyc3), SLOTH_E2E_DO_SIZE (default s-2vcpu-2gb),
// SLOTH_OPERATOR_CIDRS (default: this machine's public address, looked up by deploy).
import { test } from 'node:test';
import { deployRealCluster } from '../real-cloud.ts';

const token = process.env.DIGITALOCEAN_TOKEN ?? process.env.DIGITALOCEAN_ACCESS_TOKEN;
const skip = process.env.SLOTH_E2E !== '1' ? 'real-cloud test: set SLOTH_E2E=1 and DIGITALOCEAN_TOKEN to run it (it creates a billed droplet)' : !token ? 'SLOTH_E2E=1 but no DIGITALOCEAN_TOKEN / DIGITALOCEAN_ACCESS_TOKEN; skipping' : undefined;

test('the smallest cluster on the real DigitalOcean: deploy with bootstrap, kubeconfig, ready API, destroy', { skip, timeout: 45 * 60_000 }, async () => {
  await deployRealCluster({
    prefix: 'e2e-do',
    cloud: 'DigitalOcean',
    tokenVar: 'DIGITALOCEAN_TOKEN',
    token: token!,
    providerBlock: `(digitalocean (enabled true) (region "${process.env.SLOTH_E2E_DO_REGION ?? 'nyc3'}"))`,
    provider: 'digitalocean',
    size: process.env.SLOTH_E2E_DO_SIZE ?? 's-2vcpu-2gb',
  });
});
