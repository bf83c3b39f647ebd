// The DigitalOcean API for tests: the stateful stand-in, behind `prism proxy` with
// DigitalOcean's own OpenAPI contract. Clients talk to `apiUrl` (Prism); tests look at and
// steer the stand-in directly. `env` points the provider at it (DIGITALOCEAN_API_URL and a
// token the stand-in accepts).
import { DIGITALOCEAN_SPEC, startPrismProxy, type PrismProxy } from '../prism.ts';
import { STANDIN_TOKEN, startDoStandin, type DoStandin, type DoStandinOptions } from './server.ts';

export interface DoApi {
  standin: DoStandin;
  prism: PrismProxy;
  apiUrl: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startDoApi(options: DoStandinOptions = {}): Promise<DoApi> {
  const standin = await startDoStandin(options);
  let prism: PrismProxy;
  try {
    prism = await startPrismProxy(DIGITALOCEAN_SPEC, standin.url);
  } catch (err) {
    await standin.close();
    throw err;
  }
  return {
    standin,
    prism,
    apiUrl: prism.url,
    env: { DIGITALOCEAN_TOKEN: STANDIN_TOKEN, DIGITALOCEAN_API_URL: prism.url },
    async stop() {
      await Promise.allSettled([prism.stop(), standin.close()]);
    },
  };
}
