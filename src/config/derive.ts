// Defaults that depend on other keys (each documented by the `derived` text of its field in
// schema.ts). Runs after decoding, before validation; a default that cannot be derived
// (a pool with no provider while several are enabled) stays unset and validation says why.
import { nthAddress, parseCidr } from './cidr.ts';
import type { ClusterConfig, DistributionOptions, ProviderName, Role } from './schema.ts';
import { DEFAULT_VERSIONS, clusterSchema } from './schema.ts';
import { fillDefaults } from './schema-dsl.ts';
import type { SectionSpec } from './schema-dsl.ts';
import { enabledProviders, isControlPlane, isEtcdMember, providerRegion, rolesFromName, machineGroups } from './topology.ts';

const DEFAULT_POD_CIDR = '10.42.0.0/16';
const DEFAULT_SERVICE_CIDR = '10.43.0.0/16';

/** Sets a derived value only when there is one: an underivable default stays absent, not `undefined`. */
function setIfUnset<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (obj[key] === undefined && value !== undefined) obj[key] = value;
}

export function applyDerivedDefaults(config: ClusterConfig): ClusterConfig {
  const clusterName = config.metadata.name as string | undefined;
  const enabled = enabledProviders(config);
  const onlyProvider: ProviderName | undefined = enabled.length === 1 ? enabled[0] : undefined;

  // Provider networks.
  for (const provider of Object.keys(config.providers) as ProviderName[]) {
    const block = config.providers[provider] as { vpc?: { create?: boolean; id?: string; name?: string } } | undefined;
    const vpc = block?.vpc;
    if (!vpc) continue;
    vpc.create ??= vpc.id === undefined;
    if (vpc.name === undefined && clusterName) vpc.name = `${clusterName}-${provider}`;
  }

  // Pools and nodes.
  for (const [key, pool] of Object.entries(config.nodePools)) {
    const p = pool as unknown as { name?: string; provider?: ProviderName; region?: string; roles?: Role[] };
    p.name ??= key;
    setIfUnset(p, 'provider', onlyProvider);
    if (p.provider) setIfUnset(p, 'region', providerRegion(config, p.provider));
    p.roles ??= rolesFromName(p.name);
  }
  for (const [key, node] of Object.entries(config.nodes)) {
    const n = node as unknown as { name?: string; provider?: ProviderName; region?: string };
    n.name ??= key;
    setIfUnset(n, 'provider', onlyProvider);
    if (n.provider) setIfUnset(n, 'region', providerRegion(config, n.provider));
  }

  // Bastion.
  const bastion = config.security.bastion as { provider?: ProviderName; region?: string } | undefined;
  if (bastion) {
    setIfUnset(bastion, 'provider', onlyProvider);
    if (bastion.provider) setIfUnset(bastion, 'region', providerRegion(config, bastion.provider));
  }

  // Pod and service networks are written in either section; both hold the same value.
  const network = config.network as { podCidr?: string; serviceCidr?: string };
  const k8s = config.kubernetes as Partial<ClusterConfig['kubernetes']> & { distribution: 'rke2' | 'k3s' };
  network.podCidr ??= k8s.podCidr ?? DEFAULT_POD_CIDR;
  network.serviceCidr ??= k8s.serviceCidr ?? DEFAULT_SERVICE_CIDR;
  k8s.podCidr ??= network.podCidr;
  k8s.serviceCidr ??= network.serviceCidr;
  if (k8s.clusterDns === undefined) {
    const service = parseCidr(k8s.serviceCidr);
    if (service.ok) k8s.clusterDns = nthAddress(service.cidr, 10);
  }

  // Distribution.
  k8s.version ??= DEFAULT_VERSIONS[k8s.distribution];
  k8s.networkPlugin ??= k8s.distribution === 'rke2' ? 'canal' : 'flannel';
  if (k8s[k8s.distribution] === undefined) {
    const spec = clusterSchema.fields.kubernetes.fields[k8s.distribution] as SectionSpec;
    k8s[k8s.distribution] = fillDefaults(spec.fields, {}) as DistributionOptions;
  }
  if (k8s.highAvailability === undefined) {
    let etcd = 0;
    for (const g of machineGroups(config)) if (isEtcdMember(g.roles)) etcd += g.count;
    k8s.highAvailability = etcd >= 3;
  }

  // Names of cluster-wide resources.
  const firewall = config.network.firewall as { name?: string } | undefined;
  if (firewall && firewall.name === undefined && clusterName) firewall.name = `${clusterName}-fw`;
  const lb = config.loadBalancer as { name?: string; provider?: ProviderName } | undefined;
  if (lb) {
    if (lb.name === undefined && clusterName) lb.name = `${clusterName}-api`;
    if (lb.provider === undefined) {
      const firstMaster = machineGroups(config).find((g) => isControlPlane(g.roles));
      setIfUnset(lb, 'provider', firstMaster?.provider ?? onlyProvider);
    }
  }
  return config;
}
