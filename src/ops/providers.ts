// The provider packages by name, loaded only when a stack or a graph uses them (start-up stays
// fast). A cloud the planner maps without a package here would get a pending one
// (src/cluster/clouds/pending.ts): preview works, deploy refuses.
import type { ProviderPackage } from '../engine/index.ts';
import { ProviderRegistry } from '../engine/index.ts';

const BUILTIN_PROVIDERS: Record<string, () => Promise<ProviderPackage>> = {
  sloth: () => import('../cluster/index.ts').then((m) => m.slothPackage),
  aws: () => import('../providers/aws/index.ts').then((m) => m.provider),
  digitalocean: () => import('../providers/digitalocean/index.ts').then((m) => m.provider),
  linode: () => import('../providers/linode/index.ts').then((m) => m.provider),
  hcloud: () => import('../providers/hetzner/index.ts').then((m) => m.provider),
  azure: () => import('../providers/azure/index.ts').then((m) => m.provider),
  gcp: () => import('../providers/gcp/index.ts').then((m) => m.provider),
};
const extraProviders = new Map<string, () => Promise<ProviderPackage> | ProviderPackage>();

/** Adds a provider package (tests register the test provider and the simulated clouds this way). */
export function registerProviderPackage(name: string, load: () => Promise<ProviderPackage> | ProviderPackage): () => void {
  extraProviders.set(name, load);
  return () => extraProviders.delete(name);
}

/** A registry holding the known packages among `names` (unknown ones are reported by the engine). */
export async function providerRegistry(names: Iterable<string>): Promise<ProviderRegistry> {
  const registry = new ProviderRegistry();
  for (const name of new Set(names)) {
    const load = extraProviders.get(name) ?? BUILTIN_PROVIDERS[name];
    if (load) registry.register(await load());
  }
  return registry;
}
