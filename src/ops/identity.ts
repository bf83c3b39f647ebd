// Whether credentials work, before anything is asked of a cloud: each provider package is
// configured with the caller's environment and asked its pre-flight with nothing to create —
// the credential check (AWS: STS GetCallerIdentity, then the region; DigitalOcean: the
// account; Azure: the subscription; GCP: the project). The jobs server calls it before it
// creates a job.
import type { PropertyMap } from '../state/types.ts';
import type { OpsContext } from './host.ts';
import { providerRegistry } from './providers.ts';

export interface CloudToCheck {
  /** The provider package (`aws`, `digitalocean`). */
  provider: string;
  /** Its configuration as the config gives it (region; Azure's subscription, GCP's project). */
  config: PropertyMap;
}

/** Every problem found, as sentences naming the provider; empty when every credential works. */
export async function checkCredentials(ctx: Pick<OpsContext, 'env' | 'signal'>, clouds: readonly CloudToCheck[]): Promise<string[]> {
  const registry = await providerRegistry(clouds.map((c) => c.provider));
  const signal = ctx.signal ?? AbortSignal.timeout(60_000);
  const problems: string[] = [];
  for (const cloud of clouds) {
    const pkg = registry.get(cloud.provider);
    if (!pkg) {
      problems.push(`${cloud.provider}: no provider package of that name`);
      continue;
    }
    if (!pkg.preflight) continue;
    try {
      const client = await pkg.configure(cloud.config, { env: ctx.env, signal });
      for (const p of await pkg.preflight(client, [], { env: ctx.env, signal })) problems.push(`${cloud.provider}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
    } catch (err) {
      problems.push(`${cloud.provider}: ${(err as Error).message}`);
    }
  }
  return problems;
}
