// Provider packages for the clouds whose implementation (src/providers/<cloud>) does not
// exist yet. They carry the resource types of the cloud mappings, so that a preview shows
// the whole graph with no credentials at all; any call that would touch the cloud fails
// with "not supported yet" and changes nothing. The CLI registers a real package instead
// as soon as one exists.
import type { ProviderPackage, ResourceType } from '../../engine/index.ts';
import { CLOUDS, DNS } from '../graph.ts';

export class CloudNotImplementedError extends Error {
  readonly exitCode = 1;
  readonly hint: string;
  constructor(cloud: string) {
    super(`deploying to ${cloud} is not supported yet: its provider is not implemented`);
    this.name = 'CloudNotImplementedError';
    this.hint = 'Preview works for every cloud; deploy needs the provider package (src/providers/' + cloud + ').';
  }
}

function pendingType(cloud: string, forceNew: readonly string[]): ResourceType {
  const refuse = () => Promise.reject(new CloudNotImplementedError(cloud));
  return { forceNew, create: refuse, read: refuse, update: refuse, delete: refuse, adopt: refuse };
}

/** Package name → pending package, for every cloud the planner maps (Hetzner's package is `hcloud`). */
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
    configure: () => {
      throw new CloudNotImplementedError(name);
    },
    resources: Object.fromEntries(Object.entries(types).map(([type, forceNew]) => [type, pendingType(name, forceNew)])),
    classifyError: () => 'permanent' as const,
  }));
}
