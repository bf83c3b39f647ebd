// Firewall rules derived from the cluster model, in a cloud-neutral form that each cloud
// mapping translates (security groups, DigitalOcean/Linode/Hetzner firewalls) and the
// host firewall enforces on the machines themselves.
//
// Inbound is denied unless a rule allows it. Public rules (`via: 'public'`) are the only
// ones a cloud firewall opens: SSH from the bastion or the allowed CIDRs, WireGuard between
// the mesh members, the Kubernetes API from the load balancer and the allowed CIDRs, and
// the user's `network.firewall` rules. Everything cluster-internal is a `via: 'wireguard'`
// rule: it travels inside the WireGuard UDP flow, so no cloud firewall opens it.
import { ClusterPlanError } from '../errors.ts';
import { isMaster, isServer, type ClusterModel, type ExtraFirewallRule, type FirewallProtocol } from '../model.ts';
import { requireCidr } from '../../config/index.ts';
import { needsApiLoadBalancer } from '../topology.ts';
import { internalPorts, neverPublicPorts, overlaps, parsePortRange, type PortRange } from './ports.ts';
import { isIPv6 } from 'node:net';

/** Where allowed traffic may come from. Addresses of our own machines are resolved at apply time. */
export type RuleSource =
  | { kind: 'cidr'; cidr: string }
  /** Every mesh member's public and private addresses. */
  | { kind: 'mesh' }
  /** The bastion's addresses. */
  | { kind: 'bastion' }
  /** The API load balancer (its addresses, or its security group where the cloud has them). */
  | { kind: 'load-balancer' };

/** Which machines a rule opens. `masters` run the Kubernetes API; `servers` also include etcd-only nodes. */
export type RuleTarget = 'nodes' | 'servers' | 'masters' | 'workers' | 'bastion' | 'salt-master';

export interface FirewallRule {
  /** Stable name, e.g. `ssh` or `user-2`; cloud mappings use it to name their rule objects. */
  id: string;
  protocol: FirewallProtocol;
  ports?: PortRange;
  sources: RuleSource[];
  target: RuleTarget;
  via: 'public' | 'wireguard';
  description: string;
  origin: 'derived' | 'config';
  /**
   * The SSH entrance the deploy itself comes through (`ssh`, `bastion-ssh`). The host
   * firewall accepts it from any source and leaves the sources to the cloud firewall: the
   * operator's address changes between runs (another laptop, every CI runner), and a host
   * firewall that pinned the old one would lock out the very step that updates it.
   */
  deployAccess?: true;
}

export interface FirewallPlan {
  rules: FirewallRule[];
  /** Things the user should know, e.g. that SSH is open to the internet because nothing narrower was configured. */
  warnings: string[];
}

export function isInternetSource(source: RuleSource): boolean {
  return source.kind === 'cidr' && /\/0$/.test(source.cidr);
}

function checkCidr(text: string, where: string): string {
  try {
    if (isIPv6(text.split('/')[0] ?? '')) {
      if (!/^[0-9a-fA-F:]+\/\d{1,3}$/.test(text) || Number(text.split('/')[1]) > 128) throw new Error(`'${text}' is not an IPv6 CIDR block`);
      return text;
    }
    requireCidr(text);
    return text;
  } catch (err) {
    throw new ClusterPlanError(`${where}: ${(err as Error).message}`, { hint: 'Write CIDR blocks as "203.0.113.0/24" or "2001:db8::/32".' });
  }
}

const cidrSources = (cidrs: readonly string[], where: string): RuleSource[] => cidrs.map((c) => ({ kind: 'cidr', cidr: checkCidr(c, where) }));

function describePorts(p?: PortRange): string {
  if (!p) return '';
  return p.from === p.to ? String(p.from) : `${p.from}-${p.to}`;
}

export interface FirewallOptions {
  /** The stack records VPN clients (vpn join): they roam, so WireGuard is let in from anywhere (it answers only its peers). */
  vpnClients?: boolean;
}

export function deriveFirewallRules(model: ClusterModel, options: FirewallOptions = {}): FirewallPlan {
  const warnings: string[] = [];
  const rules: FirewallRule[] = [];
  const allowed = cidrSources(model.network.allowedCidrs, 'network.firewall allowed-cidrs');
  const operator = cidrSources(model.network.operatorCidrs ?? [], 'the operator address');
  const withOperator = (sources: RuleSource[]): RuleSource[] => {
    const seen = new Set<string>();
    return [...sources, ...operator].filter((s) => s.kind !== 'cidr' || (!seen.has(s.cidr) && seen.add(s.cidr)));
  };
  const push = (rule: FirewallRule, closedWarning: string) => {
    if (rule.sources.length === 0) warnings.push(closedWarning);
    else rules.push(rule);
  };

  if (model.bastion) {
    rules.push({ id: 'ssh', protocol: 'tcp', ports: { from: model.ssh.port, to: model.ssh.port }, sources: [{ kind: 'bastion' }], target: 'nodes', via: 'public', description: 'SSH from the bastion only', origin: 'derived', deployAccess: true });
    const b = model.bastion;
    push(
      {
        id: 'bastion-ssh',
        protocol: 'tcp',
        ports: { from: b.sshPort, to: b.sshPort },
        sources: withOperator(cidrSources(b.allowedCidrs, 'security.bastion allowed-cidrs')),
        target: 'bastion',
        via: 'public',
        description: 'SSH to the bastion from its allowed CIDRs and the operator',
        origin: 'derived',
        deployAccess: true,
      },
      'nobody can SSH to the bastion: set security.bastion allowed-cidrs (or deploy from a machine whose address sloth can see)',
    );
  } else {
    push(
      {
        id: 'ssh',
        protocol: 'tcp',
        ports: { from: model.ssh.port, to: model.ssh.port },
        sources: withOperator(allowed),
        target: 'nodes',
        via: 'public',
        description: 'SSH from the allowed CIDRs and the operator',
        origin: 'derived',
        deployAccess: true,
      },
      'nobody can SSH to the nodes: set network.firewall allowed-cidrs, or enable a bastion',
    );
  }

  const wg = { from: model.wireguard.port, to: model.wireguard.port };
  const wgSources: RuleSource[] = options.vpnClients ? [{ kind: 'mesh' }, { kind: 'cidr', cidr: '0.0.0.0/0' }] : [{ kind: 'mesh' }];
  const wgDescription = options.vpnClients ? 'WireGuard between mesh members and from VPN clients (anywhere: they roam)' : 'WireGuard between mesh members';
  rules.push({ id: 'wireguard', protocol: 'udp', ports: wg, sources: wgSources, target: 'nodes', via: 'public', description: wgDescription, origin: 'derived' });
  if (model.bastion) {
    rules.push({ id: 'wireguard-bastion', protocol: 'udp', ports: wg, sources: wgSources, target: 'bastion', via: 'public', description: wgDescription, origin: 'derived' });
  }

  const apiSources: RuleSource[] = [...(needsApiLoadBalancer(model) ? [{ kind: 'load-balancer' } as const] : []), ...withOperator(allowed)];
  push(
    { id: 'kube-api', protocol: 'tcp', ports: { from: 6443, to: 6443 }, sources: apiSources, target: 'masters', via: 'public', description: 'Kubernetes API from the load balancer, the allowed CIDRs and the operator', origin: 'derived' },
    'the Kubernetes API is reachable only from inside the mesh: set network.firewall allowed-cidrs to use kubectl from elsewhere',
  );
  if (needsApiLoadBalancer(model) && allowed.length === 0 && operator.length === 0) {
    warnings.push('the API load balancer forwards to the masters, but no allowed-cidrs are set: set network.firewall allowed-cidrs to say who may use it');
  }

  const salt = model.salt ? { apiPort: model.salt.apiPort } : undefined;
  for (const p of internalPorts(model.kubernetes.distribution, model.kubernetes.cni, salt)) {
    rules.push({
      id: `internal-${p.protocol}-${describePorts(p.ports)}`,
      protocol: p.protocol,
      ports: p.ports,
      sources: [{ kind: 'mesh' }],
      target: p.on,
      via: 'wireguard',
      description: `${p.purpose}, over WireGuard only`,
      origin: 'derived',
    });
  }

  model.network.extraFirewallRules.forEach((r, i) => rules.push(userRule(model, r, i + 1)));
  return { rules, warnings };
}

function userRule(model: ClusterModel, r: ExtraFirewallRule, n: number): FirewallRule {
  const where = `network.firewall rule ${n}${r.description ? ` ("${r.description}")` : ''}`;
  let ports: PortRange | undefined;
  if (r.protocol !== 'icmp') {
    if (!r.ports) throw new ClusterPlanError(`${where}: a ${r.protocol} rule needs a port or a port range`, { hint: 'Add (port "443") or (port "30000-32767").' });
    try {
      ports = parsePortRange(r.ports);
    } catch (err) {
      throw new ClusterPlanError(`${where}: ${(err as Error).message}`);
    }
  }
  if (r.sources.length === 0) throw new ClusterPlanError(`${where}: the rule names no source`, { hint: 'Add (source "203.0.113.0/24"); use "0.0.0.0/0" to mean anywhere.' });
  const salt = model.salt ? { apiPort: model.salt.apiPort } : undefined;
  if (ports) {
    const clash = neverPublicPorts(model.kubernetes.distribution, model.kubernetes.cni, salt).find(
      (p) => p.protocol === r.protocol && overlaps(p.ports, ports) && targetsMeet(r.target, p.on),
    );
    if (clash) {
      throw new ClusterPlanError(
        `${where}: ${r.protocol} ${describePorts(clash.ports)} (${clash.purpose}) is cluster-internal and is reachable only over WireGuard`,
        { hint: 'Remove the rule, or reach the port from a machine inside the mesh.' },
      );
    }
  }
  return {
    id: `user-${n}`,
    protocol: r.protocol,
    ports,
    sources: cidrSources(r.sources, where),
    target: r.target,
    via: 'public',
    description: r.description ?? `${where}`,
    origin: 'config',
  };
}

/**
 * Whether a user rule's target may include machines that listen on an internal port. Kept
 * conservative: a node of any pool may run etcd or the API (a pool can be master and worker).
 */
function targetsMeet(target: ExtraFirewallRule['target'], on: 'nodes' | 'servers' | 'masters' | 'salt-master'): boolean {
  return on === 'salt-master' || target !== 'bastion';
}

/** Whether a machine with these roles is covered by a rule target (the bastion is matched by name). */
export function targetIncludes(target: RuleTarget, machine: { kind: 'bastion' } | { kind: 'node'; roles: readonly string[] }, saltMasterIsThis = false): boolean {
  if (target === 'salt-master') return saltMasterIsThis;
  if (machine.kind === 'bastion') return target === 'bastion';
  const roles = { roles: machine.roles as ('master' | 'etcd' | 'worker')[] };
  switch (target) {
    case 'nodes':
      return true;
    case 'servers':
      return isServer(roles);
    case 'masters':
      return isMaster(roles);
    case 'workers':
      return roles.roles.includes('worker') || !isServer(roles);
    case 'bastion':
      return false;
  }
}
