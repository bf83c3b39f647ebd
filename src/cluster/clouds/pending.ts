// Provider packages for the clouds whose implementation (src/providers/<cloud>) does not
// exist yet. They carry the resource types of the cloud mappings, so that a preview shows
// the whole graph with no credentials at all. A deploy is stopped by their pre-flight,
// which runs before anything is created on any cloud: a cluster that also uses a working
// cloud gets nothing made there either (no half-built stack). Every call that would touch
// the cloud refuses too, for the paths that have no pre-flight (refresh, destroy, import).
// Their configuration is accepted without looking at it (there is nothing to check it
// against), so that the pre-flight can answer with the plain reason. The CLI registers a
// real package instead as soon as one exists.
import type { PreflightProblem, ProviderPackage, ResourceType } from '../../engine/index.ts';
import { CLOUDS, DNS } from '../graph.ts';

/** The cloud a package serves, as users name it (Hetzner's package is `hcloud`). */
const cloudName = (pkg: string): string => (pkg === 'hcloud' ? 'hetzner' : pkg);

export class CloudNotImplementedError extends Error {
  readonly exitCode = 1;
  readonly hint: string;
  constructor(pkg: string) {
    super(`deploying to ${cloudName(pkg)} is not supported yet: its provider is not implemented`);
    this.name = 'CloudNotImplementedError';
    this.hint = `Preview works for every cloud; deploy needs the provider package (src/providers/${pkg}). Move the pools on ${cloudName(pkg)} to a supported cloud to deploy now.`;
  }
}

function pendingType(pkg: string, forceNew: readonly string[]): ResourceType {
  const refuse = () => Promise.reject(new CloudNotImplementedError(pkg));
  return { forceNew, create: refuse, read: refuse, update: refuse, delete: refuse, adopt: refuse };
}

/** One problem per provider configuration: the deploy stops before anything is created anywhere. */
export function pendingPreflight(pkg: string): PreflightProblem[] {
  const err = new CloudNotImplementedError(pkg);
  return [{ message: err.message, hint: err.hint }];
}

/** Package name → pending package, for every cloud the planner maps. */
export function pendingCloudPackages(): ProviderPackage[] {
  const byPackage = new Map<string, Record<string, readonly string[]>>();
  const add = (types: Readonly<Record<string, readonly string[]>>) => {
    for (const [type, forceNew] of Object.entries(types)) {
      const pkg = type.slice(0, type.indexOf(':'));
      byPackage.set(pkg, { ...(byPackage.get(pkg) ?? {}), [type]: forceNew });
    }
  };
  for (const mapping of Object.values(CLOUDS)) add(mapping.resourceTypes);
  for (const mapping of Object.values(DNS)) add(mapping.resourceTypes);
  return [...byPackage].map(([name, types]) => ({
    name,
    configure: () => ({ pending: name }),
    resources: Object.fromEntries(Object.entries(types).map(([type, forceNew]) => [type, pendingType(name, forceNew)])),
    classifyError: () => 'permanent' as const,
    preflight: async () => pendingPreflight(name),
  }));
}
