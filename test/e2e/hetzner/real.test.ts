// The whole path on the real Hetzner Cloud (../real-cloud.ts): the smallest cluster, fully
// bootstrapped, ready API, a user manifest in sync; destroyed in any case. It costs money and
// minutes, so it runs only when asked:
//   SLOTH_E2E=1 HCLOUD_TOKEN=… node --test test/e2e/hetzner/real.test.ts
// Optional: SLOTH_E2E_HCLOUD_LOCATION (default nbg1), SLOTH_E2E_HCLOUD_TYPE (default cx22),
// SLOTH_OPERATOR_CIDRS (default: this machine's public address).
import { test } from 'node:test';
import { deployRealCluster } from '../real-cloud.ts';

const token = process.env.HCLOUD_TOKEN;
const skip = process.env.SLOTH_E2E !== '1' ? 'real-cloud test: set SLOTH_E2E=1 and HCLOUD_TOKEN to run it (it creates a billed server)' : !token ? 'SLOTH_E2E=1 but no HCLOUD_TOKEN; skipping' : undefined;

test('the smallest cluster on the real Hetzner Cloud: deploy with bootstrap, kubeconfig, ready API, destroy', { skip, timeout: 45 * 60_000 }, async () => {
  await deployRealCluster({
    prefix: 'e2e-hcloud',
    cloud: 'Hetzner Cloud',
    tokenVar: 'HCLOUD_TOKEN',
    token: token!,
    providerBlock: `(hetzner (enabled true) (location "${process.env.SLOTH_E2E_HCLOUD_LOCATION ?? 'nbg1'}"))`,
    provider: 'hetzner',
    size: process.env.SLOTH_E2E_HCLOUD_TYPE ?? 'cx22',
  });
});
