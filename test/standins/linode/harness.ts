// The Linode API for tests: the stateful stand-in, behind `prism proxy` with Linode's own
// OpenAPI contract (with the corrections of ../errata.ts). Clients talk to `apiUrl` (Prism); tests look at and steer the stand-in
// directly. `env` points the provider at it (LINODE_API_URL and a token the stand-in accepts).
import { LINODE_SPEC, startPrismProxy, type PrismProxy } from '../prism.ts';
import { mergeClosedAllOf, specForPrism } from '../errata.ts';
import { STANDIN_TOKEN, startLinodeStandin, type LinodeStandin, type LinodeStandinOptions } from './server.ts';

export interface LinodeApi {
  standin: LinodeStandin;
  prism: PrismProxy;
  apiUrl: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startLinodeApi(options: LinodeStandinOptions = {}): Promise<LinodeApi> {
  const standin = await startLinodeStandin(options);
  let prism: PrismProxy;
  try {
    prism = await startPrismProxy(specForPrism(LINODE_SPEC, [mergeClosedAllOf]), standin.url);
  } catch (err) {
    await standin.close();
    throw err;
  }
  return {
    standin,
    prism,
    apiUrl: prism.url,
    env: { LINODE_TOKEN: STANDIN_TOKEN, LINODE_API_URL: prism.url },
    async stop() {
      await Promise.allSettled([prism.stop(), standin.close()]);
    },
  };
}
