// The Hetzner Cloud API for tests: the stateful stand-in, behind `prism proxy` with the Hetzner
// Cloud OpenAPI contract (with the corrections of ../errata.ts). Clients talk to `apiUrl` (Prism); tests look at and steer the
// stand-in directly. `env` points the provider at it (HCLOUD_ENDPOINT and a token the
// stand-in accepts).
import { HETZNER_SPEC, startPrismProxy, type PrismProxy } from '../prism.ts';
import { specForPrism, upperCaseStatusRanges } from '../errata.ts';
import { STANDIN_TOKEN, startHetznerStandin, type HetznerStandin, type HetznerStandinOptions } from './server.ts';

export interface HetznerApi {
  standin: HetznerStandin;
  prism: PrismProxy;
  apiUrl: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startHetznerApi(options: HetznerStandinOptions = {}): Promise<HetznerApi> {
  const standin = await startHetznerStandin(options);
  let prism: PrismProxy;
  try {
    prism = await startPrismProxy(specForPrism(HETZNER_SPEC, [upperCaseStatusRanges]), standin.url);
  } catch (err) {
    await standin.close();
    throw err;
  }
  return {
    standin,
    prism,
    apiUrl: prism.url,
    env: { HCLOUD_TOKEN: STANDIN_TOKEN, HCLOUD_ENDPOINT: prism.url },
    async stop() {
      await Promise.allSettled([prism.stop(), standin.close()]);
    },
  };
}
