// Azure Resource Manager for tests: the stand-in (./server.ts) on HTTPS with a certificate
// made for the run (../tls.ts), and an `az` that answers `az account get-access-token` with
// the stand-in's token, so the provider authenticates the way a developer's machine does
// (@azure/identity's AzureCliCredential). `env` points the provider at it: the subscription,
// AZURE_RESOURCE_MANAGER_ENDPOINT, NODE_EXTRA_CA_CERTS (for CLI processes), PATH with `az`,
// and AZURE_TOKEN_CREDENTIALS=AzureCliCredential (no managed-identity probe on the network).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { makeCertificate } from '../tls.ts';
import { STANDIN_TOKEN, SUBSCRIPTION, TENANT, startAzureStandin, type AzureStandin, type AzureStandinOptions } from './server.ts';

export interface AzureApi {
  standin: AzureStandin;
  env: Record<string, string>;
  /** Makes this process trust the stand-in's certificate (in-process tests). */
  trustInProcess(): void;
  stop(): Promise<void>;
}

export async function startAzureApi(options: Omit<AzureStandinOptions, 'tls'> = {}): Promise<AzureApi> {
  const tls = makeCertificate('sloth-azure-standin-');
  const standin = await startAzureStandin({ ...options, tls });
  const expires = Math.floor(Date.now() / 1000) + 6 * 3600;
  const token = JSON.stringify({ accessToken: STANDIN_TOKEN, expiresOn: new Date(expires * 1000).toISOString(), expires_on: expires, subscription: SUBSCRIPTION, tenant: TENANT, tokenType: 'Bearer' });
  mkdirSync(join(tls.dir, 'bin'));
  const az = join(tls.dir, 'bin', 'az');
  writeFileSync(az, `#!/bin/sh\n# The Azure CLI, as far as 'az account get-access-token' goes.\ncase "$*" in *get-access-token*) echo '${token}';; *) echo "az stand-in: $*" >&2; exit 2;; esac\n`);
  chmodSync(az, 0o755);
  return {
    standin,
    env: {
      AZURE_SUBSCRIPTION_ID: SUBSCRIPTION,
      AZURE_RESOURCE_MANAGER_ENDPOINT: standin.url,
      AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential',
      NODE_EXTRA_CA_CERTS: tls.caFile,
      PATH: `${join(tls.dir, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
    },
    trustInProcess: () => tls.trustInProcess(),
    async stop() {
      await standin.close();
      tls.remove();
    },
  };
}
