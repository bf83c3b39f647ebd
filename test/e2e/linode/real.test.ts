// The whole path on the real Linode (../real-cloud.ts): the smallest cluster, fully
// bootstrapped, ready API, a user manifest in sync; destroyed in any case. It costs money and
// minutes, so it runs only when asked:
//   SLOTH_E2E=1 LINODE_TOKEN=… node --test test/e2e/linode/real.test.ts
// Optional: SLOTH_E2E_LINODE_REGION (default us-east), SLOTH_E2E_LINODE_TYPE (default
// g6-standard-2), SLOTH_OPERATOR_CIDRS (default: this machine's public address).
import { test } from 'node:test';
import { deployRealCluster } from '../real-cloud.ts';

const token = process.env.LINODE_TOKEN;
const skip = process.env.SLOTH_E2E !== '1' ? 'real-cloud test: set SLOTH_E2E=1 and LINODE_TOKEN to run it (it creates a billed instance)' : !token ? 'SLOTH_E2E=1 but no LINODE_TOKEN; skipping' : undefined;

test('the smallest cluster on the real Linode: deploy with bootstrap, kubeconfig, ready API, destroy', { skip, timeout: 45 * 60_000 }, async () => {
  await deployRealCluster({
    prefix: 'e2e-linode',
    cloud: 'Linode',
    tokenVar: 'LINODE_TOKEN',
    token: token!,
    providerBlock: `(linode (enabled true) (region "${process.env.SLOTH_E2E_LINODE_REGION ?? 'us-east'}"))`,
    provider: 'linode',
    size: process.env.SLOTH_E2E_LINODE_TYPE ?? 'g6-standard-2',
  });
});
