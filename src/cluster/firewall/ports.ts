// The ports a cluster uses between its own machines. They are reachable only over the
// WireGuard interface: the cloud firewall never opens them, the host firewall drops them on
// physical interfaces, and a user rule that would open one publicly is refused.
// Sources: docs.rke2.io/install/requirements ("Inbound Network Rules"),
// docs.k3s.io/installation/requirements ("Inbound Rules for K3s Nodes"),
// docs.saltproject.io (master ports 4505/4506; rest_cherrypy port). See docs/cluster.md.
import type { Distribution } from '../model.ts';

export interface PortRange {
  from: number;
  to: number;
}

export interface InternalPort {
  protocol: 'tcp' | 'udp';
  ports: PortRange;
  /** Which machines listen on it. */
  on: 'nodes' | 'servers' | 'masters' | 'salt-master';
  purpose: string;
}

const range = (from: number, to = from): PortRange => ({ from, to });

const cniPorts: Record<string, InternalPort[]> = {
  canal: [
    { protocol: 'udp', ports: range(8472), on: 'nodes', purpose: 'Canal VXLAN' },
    { protocol: 'tcp', ports: range(9099), on: 'nodes', purpose: 'Canal health checks' },
  ],
  flannel: [{ protocol: 'udp', ports: range(8472), on: 'nodes', purpose: 'Flannel VXLAN' }],
  calico: [
    { protocol: 'tcp', ports: range(179), on: 'nodes', purpose: 'Calico BGP' },
    { protocol: 'udp', ports: range(4789), on: 'nodes', purpose: 'Calico VXLAN' },
    { protocol: 'tcp', ports: range(5473), on: 'nodes', purpose: 'Calico Typha' },
    { protocol: 'tcp', ports: range(9098), on: 'nodes', purpose: 'Calico Typha health checks' },
    { protocol: 'tcp', ports: range(9099), on: 'nodes', purpose: 'Calico health checks' },
  ],
  cilium: [
    { protocol: 'udp', ports: range(8472), on: 'nodes', purpose: 'Cilium VXLAN' },
    { protocol: 'tcp', ports: range(4240), on: 'nodes', purpose: 'Cilium health checks' },
    { protocol: 'tcp', ports: range(4244), on: 'nodes', purpose: 'Cilium Hubble' },
  ],
  none: [],
};

export function internalPorts(distribution: Distribution, cni: string, salt?: { apiPort: number }): InternalPort[] {
  const ports: InternalPort[] = [
    { protocol: 'tcp', ports: range(10250), on: 'nodes', purpose: 'kubelet' },
    { protocol: 'tcp', ports: range(2379, distribution === 'rke2' ? 2381 : 2380), on: 'servers', purpose: 'etcd client, peer and metrics' },
  ];
  if (distribution === 'rke2') {
    ports.push({ protocol: 'tcp', ports: range(9345), on: 'servers', purpose: 'RKE2 supervisor (node registration)' });
  }
  // Agents reach the API (and, on K3s, the supervisor on the same port) over the mesh.
  ports.push({ protocol: 'tcp', ports: range(6443), on: 'masters', purpose: 'Kubernetes API and K3s supervisor, from other nodes' });
  ports.push(...(cniPorts[cni] ?? []));
  if (salt) {
    ports.push({ protocol: 'tcp', ports: range(4505, 4506), on: 'salt-master', purpose: 'Salt publish and request ports' });
    ports.push({ protocol: 'tcp', ports: range(salt.apiPort), on: 'salt-master', purpose: 'Salt API (TLS)' });
  }
  return ports;
}

/**
 * Ports that must never be reachable from outside the mesh. 6443 is not here: the API is
 * public (through the load balancer and allowed CIDRs); it is in `internalPorts` only
 * because nodes also reach it over WireGuard.
 */
export function neverPublicPorts(distribution: Distribution, cni: string, salt?: { apiPort: number }): InternalPort[] {
  return internalPorts(distribution, cni, salt).filter((p) => !(p.protocol === 'tcp' && p.ports.from === 6443));
}

export function overlaps(a: PortRange, b: PortRange): boolean {
  return a.from <= b.to && b.from <= a.to;
}

/** Parses `"80"` or `"30000-32767"`. */
export function parsePortRange(text: string): PortRange {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  if (!m) throw new Error(`'${text}' is not a port or a port range (e.g. "443" or "30000-32767")`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || to > 65535 || from > to) throw new Error(`'${text}' is not a valid port range (1-65535, low-high)`);
  return { from, to };
}
