// Rules that relate several keys: providers, roles, etcd quorum, networks, versions, names.
// Each error names the config path and points at the source.
import { contains, meshCapacity, overlaps, parseCidr, prefixForMembers, type Cidr } from './cidr.ts';
import type { Diagnostics } from './diagnostics.ts';
import { checkLabelKey, checkLabelValue } from './formats.ts';
import type { ClusterConfig, ProviderName, Taint } from './schema.ts';
import { DEFAULT_VERSIONS } from './schema.ts';
import type { SourceMap } from './source-map.ts';
import {
  enabledProviders,
  isControlPlane,
  isEtcdMember,
  machineGroups,
  meshMembers,
  providerRegion,
  roleCounts,
  type MachineGroup,
} from './topology.ts';

const VERSION_FORMAT: Record<'rke2' | 'k3s', RegExp> = {
  rke2: /^v1\.\d+\.\d+\+rke2r\d+$/,
  k3s: /^v1\.\d+\.\d+\+k3s\d+$/,
};

const PLUGINS: Record<'rke2' | 'k3s', readonly string[]> = {
  rke2: ['canal', 'calico', 'cilium', 'none'],
  k3s: ['flannel', 'none'],
};

/** Providers the planner can build on; the others are rejected by the schema check. */
const REGION_KEY: Partial<Record<ProviderName, string>> = {
  aws: 'region',
  digitalocean: 'region',
  linode: 'region',
  hetzner: 'location',
  azure: 'location',
  gcp: 'region',
};

interface Ctx {
  config: ClusterConfig;
  positions: SourceMap;
  diags: Diagnostics;
}

function err(ctx: Ctx, path: string, message: string, hint?: string, prefer: 'value' | 'form' = 'value'): void {
  ctx.diags.error(message, { path, pos: ctx.positions.locate(path, prefer), hint });
}

export function checkRules(config: ClusterConfig, positions: SourceMap, diags: Diagnostics): void {
  const ctx: Ctx = { config, positions, diags };
  checkProviders(ctx);
  const groups = machineGroups(config);
  checkMachines(ctx, groups);
  checkRoles(ctx, groups);
  checkKubernetes(ctx);
  checkNetworks(ctx);
  checkWireGuard(ctx, groups);
  checkAccess(ctx, groups);
  checkAddons(ctx, groups);
}

function checkProviders(ctx: Ctx): void {
  const { config } = ctx;
  const enabled = enabledProviders(config);
  if (enabled.length === 0) {
    err(
      ctx,
      'providers',
      'no cloud provider is enabled',
      'add one, e.g. (providers (aws (region "us-east-1"))); supported: aws, digitalocean, linode, hetzner, azure, gcp',
      'form',
    );
  }
  for (const p of enabled) {
    const regionKey = REGION_KEY[p];
    if (regionKey && !providerRegion(config, p)) {
      err(ctx, `providers.${p}`, `'providers.${p}.${regionKey}' is required`, `add (${regionKey} "…") to providers.${p}`, 'form');
    }
  }
}

function providerUse(ctx: Ctx, path: string, provider: ProviderName | undefined, what: string): boolean {
  const enabled = enabledProviders(ctx.config);
  if (provider === undefined) {
    if (enabled.length > 1) {
      err(
        ctx,
        path,
        `${what} has no provider and several are enabled (${enabled.join(', ')})`,
        `add (provider ${enabled[0]}) or another of them`,
        'form',
      );
    }
    return false; // none enabled: reported once by checkProviders
  }
  if (!enabled.includes(provider)) {
    const block = ctx.config.providers[provider];
    err(
      ctx,
      `${path}.provider`,
      block
        ? `${what} uses provider '${provider}', which is disabled`
        : `${what} uses provider '${provider}', which is not configured`,
      block ? `remove (enabled false) from providers.${provider}` : `add (${provider} (region "…")) to providers`,
    );
    return false;
  }
  return true;
}

function checkMachines(ctx: Ctx, groups: MachineGroup[]): void {
  const { config } = ctx;
  const hostnames = new Map<string, string>();
  const claim = (host: string, owner: string) => {
    const prior = hostnames.get(host);
    if (prior && prior !== owner) {
      err(ctx, owner, `host name '${host}' of ${owner} is also used by ${prior}`, 'give the pool or node another name', 'form');
      return;
    }
    hostnames.set(host, owner);
  };
  for (const g of groups) {
    const what = g.kind === 'pool' ? `node pool '${g.key}'` : `node '${g.key}'`;
    if (providerUse(ctx, g.path, g.provider, what)) {
      const home = providerRegion(config, g.provider!);
      if (g.region === undefined) {
        err(ctx, g.path, `${what} has no region`, `add (region "…") to it, or to providers.${g.provider}`, 'form');
      } else if (home !== undefined && g.region !== home) {
        err(
          ctx,
          `${g.path}.region`,
          `${what} in region ${g.region} while providers.${g.provider} is in ${home}: pools in more than one region of a provider is not supported yet`,
          `use ${home}, or leave region out to use the provider's`,
        );
      }
    }
    if (g.kind === 'pool') {
      const longest = `${g.name}-${Math.max(1, g.count)}`;
      if (longest.length > 63) {
        err(ctx, `${g.path}.name`, `node names of ${what} ('${longest}') are longer than 63 characters`, 'use a shorter pool name');
      }
      for (let i = 1; i <= g.count; i++) claim(`${g.name}-${i}`, g.path);
    } else {
      claim(g.name, g.path);
    }
    const machine = g.kind === 'pool' ? config.nodePools[g.key]! : config.nodes[g.key]!;
    if (machine.spotInstance && g.provider !== undefined && g.provider !== 'aws') {
      err(ctx, `${g.path}.spot-instance`, `spot instances are not supported yet on ${g.provider}`, 'spot instances are available on aws');
    }
    if (g.kind === 'pool' && config.nodePools[g.key]!.zones.length > 0 && g.provider !== undefined && g.provider !== 'aws' && g.provider !== 'gcp') {
      err(ctx, `${g.path}.zones`, `zones are not supported yet on ${g.provider}`, 'zones are available on aws and gcp');
    }
    checkLabels(ctx, `${g.path}.labels`, machine.labels);
    checkTaints(ctx, `${g.path}.taints`, machine.taints);
  }
  if (config.security.bastion?.enabled) claim(config.security.bastion.name, 'security.bastion');
}

function checkLabels(ctx: Ctx, path: string, labels: Record<string, string>): void {
  for (const [k, v] of Object.entries(labels)) {
    const problem = checkLabelKey(k) ?? checkLabelValue(v);
    if (problem) err(ctx, `${path}.${k}`, `'${path}' ${problem}`);
  }
}

function checkTaints(ctx: Ctx, path: string, taints: Taint[]): void {
  taints.forEach((t, i) => {
    if (t.key === undefined) return; // reported as required
    const problem = checkLabelKey(t.key) ?? (t.value !== undefined ? checkLabelValue(t.value) : undefined);
    if (problem) err(ctx, `${path}[${i}]`, `'${path}[${i}]' ${problem.replace(/^key/, 'taint key').replace(/^value/, 'taint value')}`);
  });
}

function checkRoles(ctx: Ctx, groups: MachineGroup[]): void {
  const { config } = ctx;
  for (const g of groups) {
    if (g.roles.length === 0) {
      err(ctx, `${g.path}.roles`, `'${g.path}.roles' is empty`, 'give at least one of master, control-plane, etcd, worker');
    }
  }
  const counts = roleCounts(config, groups);
  const where = groups.length > 0 ? 'node-pools' : '';
  if (counts.controlPlane === 0) {
    err(
      ctx,
      groups[0]?.kind === 'node' ? 'nodes' : where,
      'the cluster has no master: at least one node needs the master role',
      'add a pool such as (masters (count 1) (size "…")) or give a pool (roles master etcd)',
      'form',
    );
  }
  if (counts.controlPlane > 0 && counts.etcd === 0) {
    err(ctx, where, 'the cluster has no etcd member', 'give the master nodes the etcd role: (roles master etcd)', 'form');
  }
  if (counts.etcd > 0 && counts.etcd % 2 === 0) {
    const etcdPaths = groups.filter((g) => isEtcdMember(g.roles) && g.count > 0);
    err(
      ctx,
      `${etcdPaths[0]?.path ?? where}`,
      `the cluster has ${counts.etcd} etcd members; etcd needs an odd number (1, 3, 5…) to keep quorum`,
      `etcd members: ${etcdPaths.map((g) => `${g.path} (${g.count})`).join(', ')}; change a count to make the total odd`,
      'form',
    );
  }
  const ha = config.kubernetes.highAvailability;
  if (ha && counts.etcd < 3) {
    err(
      ctx,
      'kubernetes.high-availability',
      `high availability needs at least 3 etcd members, the cluster has ${counts.etcd}`,
      'use 3 or 5 master nodes, or set (high-availability false)',
    );
  }
  if (!ha && counts.controlPlane > 1 && ctx.positions.has('kubernetes.high-availability')) {
    err(
      ctx,
      'kubernetes.high-availability',
      `high-availability is false but ${counts.controlPlane} nodes run the control plane`,
      'set (high-availability true), or use a single master',
    );
  }
}

function checkKubernetes(ctx: Ctx): void {
  const k8s = ctx.config.kubernetes;
  const distro = k8s.distribution;
  if (!VERSION_FORMAT[distro].test(k8s.version)) {
    err(
      ctx,
      'kubernetes.version',
      `'kubernetes.version' '${k8s.version}' is not a ${distro} version`,
      `${distro} versions look like ${DEFAULT_VERSIONS[distro]}`,
    );
  }
  if (!PLUGINS[distro].includes(k8s.networkPlugin)) {
    err(
      ctx,
      'kubernetes.network-plugin',
      `network plugin '${k8s.networkPlugin}' is not available with ${distro}`,
      `with ${distro} use one of: ${PLUGINS[distro].join(', ')}`,
    );
  }
  const other = distro === 'rke2' ? 'k3s' : 'rke2';
  if (k8s[other] !== undefined) {
    err(ctx, `kubernetes.${other}`, `'kubernetes.${other}' options are given but the distribution is ${distro}`, `remove them, or set (distribution ${other})`, 'form');
  }
}

function cidrOf(text: string | undefined): Cidr | undefined {
  if (text === undefined) return undefined;
  const r = parseCidr(text);
  return r.ok ? r.cidr : undefined; // malformed ones are reported by the schema check
}

function checkNetworks(ctx: Ctx): void {
  const { config } = ctx;
  const net = config.network;
  const k8s = config.kubernetes;
  if (net.podCidr !== k8s.podCidr) {
    err(ctx, 'kubernetes.pod-cidr', `'kubernetes.pod-cidr' ${k8s.podCidr} differs from 'network.pod-cidr' ${net.podCidr}`, 'give the pod network once');
  }
  if (net.serviceCidr !== k8s.serviceCidr) {
    err(
      ctx,
      'kubernetes.service-cidr',
      `'kubernetes.service-cidr' ${k8s.serviceCidr} differs from 'network.service-cidr' ${net.serviceCidr}`,
      'give the service network once',
    );
  }
  const podPath = ctx.positions.has('kubernetes.pod-cidr') && !ctx.positions.has('network.pod-cidr') ? 'kubernetes.pod-cidr' : 'network.pod-cidr';
  const servicePath =
    ctx.positions.has('kubernetes.service-cidr') && !ctx.positions.has('network.service-cidr') ? 'kubernetes.service-cidr' : 'network.service-cidr';
  const ranges: Array<{ path: string; cidr: Cidr }> = [];
  const add = (path: string, text: string | undefined) => {
    const c = cidrOf(text);
    if (c) ranges.push({ path, cidr: c });
  };
  add(podPath, net.podCidr);
  add(servicePath, net.serviceCidr);
  add('network.wireguard.subnet-cidr', net.wireguard.subnetCidr);
  for (const p of enabledProviders(config)) {
    const vpc = (config.providers[p] as { vpc?: { create: boolean; cidr: string } }).vpc;
    if (vpc?.create) add(`providers.${p}.vpc.cidr`, vpc.cidr);
  }
  for (let i = 0; i < ranges.length; i++) {
    for (let j = i + 1; j < ranges.length; j++) {
      const a = ranges[i]!;
      const b = ranges[j]!;
      if (overlaps(a.cidr, b.cidr)) {
        err(ctx, b.path, `'${b.path}' ${b.cidr.text} overlaps '${a.path}' ${a.cidr.text}`, 'networks must not overlap; pick a different range');
      }
    }
  }
  const service = cidrOf(k8s.serviceCidr);
  if (service && k8s.clusterDns !== undefined && !contains(service, k8s.clusterDns)) {
    err(ctx, 'kubernetes.cluster-dns', `'kubernetes.cluster-dns' ${k8s.clusterDns} is outside the service network ${service.text}`);
  }
  const dns = net.dns;
  if (dns) {
    // The cloud whose credentials manage the zone (cloudflare is refused elsewhere as not supported yet).
    const owner: ProviderName | undefined = dns.provider === 'route53' ? 'aws' : dns.provider === 'cloudflare' ? undefined : dns.provider;
    if (owner && !enabledProviders(config).includes(owner)) {
      err(ctx, 'network.dns.provider', `DNS provider '${dns.provider}' needs the ${owner} provider (its credentials manage the zone)`, `add (${owner} …) to providers`);
    }
  }
  net.firewall?.inboundRules.forEach((r, i) => {
    const path = `network.firewall.inbound-rules[${i}]`;
    if ((r.protocol === 'tcp' || r.protocol === 'udp') && r.port === undefined) {
      err(ctx, path, `'${path}' needs a port for ${r.protocol}`, 'add (port 443) or a range such as (port "30000-32767")', 'form');
    }
    if (r.protocol === 'icmp' && r.port !== undefined) err(ctx, `${path}.port`, `'${path}' is icmp, which has no ports`);
    if (r.source.length === 0) err(ctx, `${path}.source`, `'${path}.source' is empty`, 'give the networks the rule admits, e.g. (source "203.0.113.0/24")', 'form');
  });
}

function checkWireGuard(ctx: Ctx, groups: MachineGroup[]): void {
  const { config } = ctx;
  const wg = config.network.wireguard;
  if (config.network.mode === 'wireguard' && !wg.enabled) {
    err(ctx, 'network.wireguard.enabled', 'network mode is wireguard but the WireGuard mesh is disabled', 'remove (enabled false) from network.wireguard');
    return;
  }
  if (!wg.enabled) return;
  if (!wg.create) {
    err(ctx, 'network.wireguard.create', `'network.wireguard.create' false (joining an existing WireGuard server) is not supported yet`, 'remove it: sloth-kubernetes builds the mesh');
  }
  if (!wg.meshNetworking) {
    err(ctx, 'network.wireguard.mesh-networking', `'network.wireguard.mesh-networking' false (hub and spoke) is not supported yet`, 'remove it: the mesh is a full mesh');
  }
  const subnet = cidrOf(wg.subnetCidr);
  if (subnet) {
    const members = meshMembers(config, groups);
    const capacity = meshCapacity(subnet);
    if (members > capacity) {
      const prefix = Math.max(8, prefixForMembers(members));
      const bastion = config.security.bastion?.enabled ? ' and the bastion' : '';
      err(
        ctx,
        'network.wireguard.subnet-cidr',
        `WireGuard subnet ${subnet.text} has ${capacity} addresses but the mesh needs ${members} (every node${bastion})`,
        `use a /${prefix} or larger network`,
      );
    }
  }
}

function checkAccess(ctx: Ctx, groups: MachineGroup[]): void {
  const bastion = ctx.config.security.bastion;
  if (bastion?.enabled) {
    if (providerUse(ctx, 'security.bastion', bastion.provider, 'the bastion')) {
      const home = providerRegion(ctx.config, bastion.provider!);
      if (bastion.region === undefined) {
        err(ctx, 'security.bastion', 'the bastion has no region', `add (region "…") to security.bastion`, 'form');
      } else if (home !== undefined && bastion.region !== home) {
        err(
          ctx,
          'security.bastion.region',
          `the bastion in region ${bastion.region} while providers.${bastion.provider} is in ${home}: a bastion in another region than its provider is not supported yet`,
          `use ${home}, or leave region out`,
        );
      }
    }
  }
  const lb = ctx.config.loadBalancer;
  if (lb) {
    if (providerUse(ctx, 'load-balancer', lb.provider, 'the load balancer')) {
      const masters = groups.filter((g) => g.provider === lb.provider && isControlPlane(g.roles) && g.count > 0);
      if (masters.length === 0) {
        err(ctx, 'load-balancer.provider', `the load balancer is on ${lb.provider} but no master node is`, 'put it on the provider of a master pool');
      }
    }
  }
  const ssh = ctx.config.security.ssh;
  if (!ssh.autoGenerate && ssh.keyPath === undefined) {
    err(ctx, 'security.ssh', `'security.ssh.key-path' is required when auto-generate is false`, 'add (key-path "~/.ssh/id_ed25519")', 'form');
  }
}

function checkAddons(ctx: Ctx, groups: MachineGroup[]): void {
  const salt = ctx.config.addons.salt;
  if (salt?.enabled && !salt.secureAuth) {
    err(
      ctx,
      'addons.salt.secure-auth',
      `addons.salt secure-auth false (auto-accepting minion keys) is not supported yet`,
      'sloth accepts only the keys of its own minions; leave secure-auth on',
    );
  }
  if (salt?.enabled && salt.masterNode !== undefined) {
    const names = new Set<string>();
    for (const g of groups) {
      if (g.kind === 'node') names.add(g.name);
      else for (let i = 1; i <= g.count; i++) names.add(`${g.name}-${i}`);
    }
    if (ctx.config.security.bastion?.enabled) names.add('bastion');
    if (!names.has(salt.masterNode)) {
      err(
        ctx,
        'addons.salt.master-node',
        `'addons.salt.master-node' '${salt.masterNode}' is not a node of the cluster`,
        `name a node such as ${groups[0] ? (groups[0].kind === 'pool' ? `${groups[0].name}-1` : groups[0].name) : 'masters-1'}${ctx.config.security.bastion?.enabled ? ', or bastion' : ''}`,
      );
    }
  }
}
