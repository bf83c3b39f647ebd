// Google Cloud for tests: the stand-in (./server.ts) on HTTPS with a certificate made for the
// run (../tls.ts), and a workload identity federation credential whose token URL is the
// stand-in's, so the provider authenticates through Application Default Credentials as CI
// systems do (google-auth-library trades a subject token for an access token). `env` points
// the provider at it: GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_CLOUD_PROJECT, gcloud's endpoint overrides for Compute Engine and
// Cloud DNS, NODE_EXTRA_CA_CERTS (for CLI processes), and METADATA_SERVER_DETECTION=none (no
// metadata-server probe on the network when a test takes the key away).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeCertificate } from '../tls.ts';
import { AUDIENCE, PROJECT, SUBJECT_TOKEN, startGcpStandin, type GcpStandin, type GcpStandinOptions } from './server.ts';

export interface GcpApi {
  standin: GcpStandin;
  env: Record<string, string>;
  /** The credential (JSON text). */
  key: string;
  trustInProcess(): void;
  stop(): Promise<void>;
}

export async function startGcpApi(options: Omit<GcpStandinOptions, 'tls'> = {}): Promise<GcpApi> {
  const tls = makeCertificate('sloth-gcp-standin-');
  const standin = await startGcpStandin({ ...options, tls });
  // An `external_account` credential (workload identity federation, as CI systems use): the
  // token URL is part of the credential, so it can point at the stand-in.
  const subjectFile = join(tls.dir, 'subject-token');
  writeFileSync(subjectFile, SUBJECT_TOKEN, { mode: 0o600 });
  const key = JSON.stringify({
    type: 'external_account',
    audience: AUDIENCE,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${standin.url}/token`,
    credential_source: { file: subjectFile },
  });
  const keyFile = join(tls.dir, 'credentials.json');
  writeFileSync(keyFile, key, { mode: 0o600 });
  return {
    standin,
    key,
    env: {
      GOOGLE_APPLICATION_CREDENTIALS: keyFile,
      GOOGLE_CLOUD_PROJECT: PROJECT,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE: `${standin.url}/compute/v1/`,
      CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS: `${standin.url}/dns/v1/`,
      NODE_EXTRA_CA_CERTS: tls.caFile,
      METADATA_SERVER_DETECTION: 'none',
    },
    trustInProcess: () => tls.trustInProcess(),
    async stop() {
      await standin.close();
      tls.remove();
    },
  };
}
