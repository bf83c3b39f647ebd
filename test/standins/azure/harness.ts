// Azure Resource Manager for tests: the stand-in (./server.ts) on HTTPS with a certificate
// made for the run by `openssl`, and an `az` that answers `az account get-access-token` with
// the stand-in's token, so the provider authenticates the way a developer's machine does
// (@azure/identity's AzureCliCredential). `env` points the provider at it: the subscription,
// AZURE_RESOURCE_MANAGER_ENDPOINT, NODE_EXTRA_CA_CERTS (for CLI processes), PATH with `az`,
// and AZURE_TOKEN_CREDENTIALS=AzureCliCredential (no managed-identity probe on the network).
// `trustInProcess()` makes this process trust the certificate too (in-process tests).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import tls from 'node:tls';
import { STANDIN_TOKEN, SUBSCRIPTION, TENANT, startAzureStandin, type AzureStandin, type AzureStandinOptions } from './server.ts';

export interface AzureApi {
  standin: AzureStandin;
  env: Record<string, string>;
  /** The certificate's PEM. */
  cert: string;
  trustInProcess(): void;
  stop(): Promise<void>;
}

export async function startAzureApi(options: Omit<AzureStandinOptions, 'tls'> = {}): Promise<AzureApi> {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-azure-standin-'));
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  if (made.status !== 0) throw new Error(`openssl could not make the stand-in's certificate: ${made.stderr.toString()}`);
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const standin = await startAzureStandin({ ...options, tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert } });
  const expires = Math.floor(Date.now() / 1000) + 6 * 3600;
  const token = JSON.stringify({ accessToken: STANDIN_TOKEN, expiresOn: new Date(expires * 1000).toISOString(), expires_on: expires, subscription: SUBSCRIPTION, tenant: TENANT, tokenType: 'Bearer' });
  const az = join(dir, 'bin', 'az');
  spawnSync('mkdir', ['-p', join(dir, 'bin')]);
  writeFileSync(az, `#!/bin/sh\n# The Azure CLI, as far as 'az account get-access-token' goes.\ncase "$*" in *get-access-token*) echo '${token}';; *) echo "az stand-in: $*" >&2; exit 2;; esac\n`);
  chmodSync(az, 0o755);
  writeFileSync(join(dir, 'ca.pem'), cert);
  return {
    standin,
    cert,
    env: {
      AZURE_SUBSCRIPTION_ID: SUBSCRIPTION,
      AZURE_RESOURCE_MANAGER_ENDPOINT: standin.url,
      AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential',
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      PATH: `${join(dir, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
    },
    trustInProcess() {
      tls.setDefaultCACertificates([...tls.getCACertificates('default'), cert]);
    },
    async stop() {
      await standin.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
