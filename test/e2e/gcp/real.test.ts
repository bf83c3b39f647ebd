// The whole path on the real Google Cloud: the smallest cluster (one K3s node), fully
// bootstrapped, its API asked whether it is ready, a user manifest applied and compared;
// destroyed in any case (test/e2e/real-cluster.ts). It costs money and minutes, so it runs
// only when asked:
//   SLOTH_E2E=1 GOOGLE_CLOUD_PROJECT=… node --test test/e2e/gcp/real.test.ts
// with Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, or
// `gcloud auth application-default login`). Optional: SLOTH_E2E_GCP_REGION (default
// us-central1), SLOTH_E2E_GCP_SIZE (default e2-standard-2), SLOTH_OPERATOR_CIDRS.
import { test } from 'node:test';
import { deployRealCluster } from '../real-cluster.ts';

const skip = process.env.SLOTH_E2E !== '1' ? 'real-cloud test: set SLOTH_E2E=1 and GOOGLE_CLOUD_PROJECT to run it (it creates a billed instance)' : !process.env.GOOGLE_CLOUD_PROJECT ? 'SLOTH_E2E=1 but no GOOGLE_CLOUD_PROJECT; skipping' : undefined;

test('the smallest cluster on the real Google Cloud: deploy with bootstrap, kubeconfig, ready API, destroy', { skip, timeout: 60 * 60_000 }, async () => {
  await deployRealCluster({
    prefix: 'e2e-gc',
    providers: `(providers (gcp (enabled true) (region "${process.env.SLOTH_E2E_GCP_REGION ?? 'us-central1'}")))`,
    provider: 'gcp',
    size: process.env.SLOTH_E2E_GCP_SIZE ?? 'e2-standard-2',
    // gcloud's application-default login lives in the user's home; the test's HOME is its own.
    env: { GOOGLE_CLOUD_PROJECT: process.env.GOOGLE_CLOUD_PROJECT, GOOGLE_APPLICATION_CREDENTIALS: process.env.GOOGLE_APPLICATION_CREDENTIALS, CLOUDSDK_CONFIG: process.env.CLOUDSDK_CONFIG ?? `${process.env.HOME}/.config/gcloud` },
    secrets: [],
  });
});
