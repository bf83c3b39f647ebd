// The whole path on the real Azure: the smallest cluster (one K3s node), fully bootstrapped,
// its API asked whether it is ready, a user manifest applied and compared; destroyed in any
// case (test/e2e/real-cluster.ts). It costs money and minutes, so it runs only when asked:
//   SLOTH_E2E=1 AZURE_SUBSCRIPTION_ID=… node --test test/e2e/azure/real.test.ts
// with credentials the provider finds (AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET,
// or an `az login`). Optional: SLOTH_E2E_AZURE_LOCATION (default eastus),
// SLOTH_E2E_AZURE_SIZE (default Standard_B2s), SLOTH_OPERATOR_CIDRS.
import { test } from 'node:test';
import { deployRealCluster } from '../real-cluster.ts';

const skip = process.env.SLOTH_E2E !== '1' ? 'real-cloud test: set SLOTH_E2E=1 and AZURE_SUBSCRIPTION_ID to run it (it creates a billed VM)' : !process.env.AZURE_SUBSCRIPTION_ID ? 'SLOTH_E2E=1 but no AZURE_SUBSCRIPTION_ID; skipping' : undefined;
const PASS = ['AZURE_SUBSCRIPTION_ID', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH', 'AZURE_FEDERATED_TOKEN_FILE', 'AZURE_TOKEN_CREDENTIALS', 'AZURE_AUTHORITY_HOST'];

test('the smallest cluster on the real Azure: deploy with bootstrap, kubeconfig, ready API, destroy', { skip, timeout: 60 * 60_000 }, async () => {
  await deployRealCluster({
    prefix: 'e2e-az',
    providers: `(providers (azure (enabled true) (location "${process.env.SLOTH_E2E_AZURE_LOCATION ?? 'eastus'}")))`,
    provider: 'azure',
    size: process.env.SLOTH_E2E_AZURE_SIZE ?? 'Standard_B2s',
    // The Azure CLI's login lives in the user's home; the test's HOME is its own.
    env: { ...Object.fromEntries(PASS.map((k) => [k, process.env[k]])), AZURE_CONFIG_DIR: process.env.AZURE_CONFIG_DIR ?? `${process.env.HOME}/.azure` },
    secrets: [process.env.AZURE_CLIENT_SECRET].filter((s): s is string => !!s),
  });
});
