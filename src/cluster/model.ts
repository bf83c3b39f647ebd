// The resolved cluster model: what the planner works from. It is deliberately smaller and
// stricter than the user's config (every default filled, every name final, roles
// normalised), so that the WireGuard, firewall and bootstrap code can be pure functions of
// it and tested without the config loader. `from-config.ts` builds it from a ClusterConfig.

/** Kubernetes roles as the planner honours them. `controlplane` in a config means `master`. */
export type Role = 'master' | 'etcd' | 'worker';

export type Distribution = 'rke2' | 'k3s';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeModel {
  /** `<pool>-<index>`: stable, so scaling a pool down removes only its highest indexes. */
  name: string;
  pool: string;
  /** Where the node is declared in the config (`node-pools.<key>`, `nodes.<key>`), for messages; default `node-pools.<pool>`. */
  configPath?: string;
  /** 1-based position inside the pool. */
  index: number;
  provider: string;
  region: string;
  size: string;
  /** Image id or name (AMI, slug, image name); absent: the cloud mapping's default image. */
  image?: string;
  /** Availability zone, when the pool spreads over zones. */
  zone?: string;
  /** Login user created by cloud-init on this machine (default: `ClusterModel.ssh.user`). */
  loginUser?: string;
  roles: readonly Role[];
  /** False for nodes created without a public address: they reach the mesh via the bastion. */
  publicAddress: boolean;
  spot?: boolean;
  labels: Readonly<Record<string, string>>;
  taints: readonly Taint[];
}

export interface BastionModel {
  name: string;
  provider: string;
  region: string;
  size: string;
  image?: string;
  /** Who may open SSH to the bastion (CIDRs), besides the operator's address. */
  allowedCidrs: readonly string[];
  sshPort: number;
  loginUser?: string;
  /** Minutes before sshd drops an idle session (0: never). */
  idleTimeoutMinutes?: number;
  maxSessions?: number;
}

export interface WireGuardSettings {
  /** Mesh addresses come from here, e.g. `10.8.0.0/24`. */
  subnetCidr: string;
  /** UDP listen port on every member. */
  port: number;
  mtu: number;
  /** Seconds; 0 turns keepalive off. */
  persistentKeepalive: number;
  /** Name of the WireGuard interface on the nodes (`wg0`). */
  interfaceName: string;
}

export type FirewallProtocol = 'tcp' | 'udp' | 'icmp';

/** A user rule from `network.firewall`, added on top of the derived ones. */
export interface ExtraFirewallRule {
  protocol: FirewallProtocol;
  /** `"80"`, `"30000-32767"`; absent for icmp. */
  ports?: string;
  /** CIDRs the traffic may come from. */
  sources: readonly string[];
  /** Which machines the rule opens: every node, only masters, only workers, or the bastion. */
  target: 'nodes' | 'masters' | 'workers' | 'bastion';
  description?: string;
}

export interface NetworkModel {
  podCidr: string;
  serviceCidr: string;
  /** CIDRs allowed to reach SSH (when there is no bastion) and the Kubernetes API. */
  allowedCidrs: readonly string[];
  /**
   * The address(es) of the machine running sloth (given by the CLI): always allowed to SSH to
   * the bastion (or the nodes without one) and to reach the API, so a deploy can do its work
   * even when the config opens nothing else.
   */
  operatorCidrs?: readonly string[];
  extraFirewallRules: readonly ExtraFirewallRule[];
  dns?: { domain: string; provider: DnsProvider };
}

/** Who hosts the DNS zone: Route 53, DigitalOcean, Linode, Azure DNS or Cloud DNS. */
export type DnsProvider = 'route53' | 'digitalocean' | 'linode' | 'azure' | 'gcp';

/** The cloud whose credentials manage a DNS provider's zones. */
export const dnsCloud = (provider: DnsProvider): string => (provider === 'route53' ? 'aws' : provider);

export interface EtcdSnapshotSettings {
  scheduleCron: string;
  retention: number;
}

export interface KubernetesModel {
  distribution: Distribution;
  /** Full release, e.g. `v1.29.0+rke2r1` or `v1.29.0+k3s1`: pins the install, never a channel. */
  version: string;
  /** rke2: canal | calico | cilium | none; k3s: flannel | none. */
  cni: string;
  clusterDns: string;
  clusterDomain: string;
  /** Packaged components to disable (`rke2-ingress-nginx`, `traefik`, …). */
  disable: readonly string[];
  /** Extra names and addresses for the API certificate. */
  tlsSan: readonly string[];
  selinux: boolean;
  secretsEncryption: boolean;
  etcdSnapshot?: EtcdSnapshotSettings;
  /**
   * Where the installer and its artifacts come from, for private mirrors and air-gapped
   * installs: `installScriptUrl` replaces get.rke2.io / get.k3s.io, `artifactUrl` the
   * GitHub release download prefix, `artifactPath` a directory already on the node.
   */
  installSource?: { installScriptUrl?: string; artifactUrl?: string; artifactPath?: string };
  /** Container registry mirrors written to registries.yaml (`docker.io` → endpoints). */
  registryMirrors?: Readonly<Record<string, readonly string[]>>;
  dataDir?: string;
  /** A cluster token the user set; otherwise one is generated and kept in the stack. */
  clusterToken?: string;
}

export interface SaltModel {
  /** The bastion's name, or the name of the node that runs the master. */
  master: string;
  apiPort: number;
  apiUsername: string;
  /** Pinned Salt release, e.g. `3006.9`. */
  version: string;
  /** Run the Salt REST API (TLS, WireGuard address only). */
  apiEnabled: boolean;
  /** A password the user set; otherwise one is generated and kept in the stack. */
  apiPassword?: string;
  /** Install a minion on every node. */
  minions: boolean;
  /** Keep the master's job cache (the record of every job run). */
  jobCache: boolean;
}

export interface ArgoCdModel {
  /** Pinned release, e.g. `v2.11.3`; never `stable`. */
  version: string;
  namespace: string;
  repoUrl?: string;
  branch: string;
  appsPath: string;
  /** Name of the app-of-apps Application when a repository is given. */
  appOfAppsName: string;
  /** Where install.yaml comes from; `{version}` is replaced. Default: the GitHub release tag. */
  manifestUrl?: string;
}

/** One cloud's settings for the objects the graph creates there. */
export interface CloudModel {
  region: string;
  /** The private network: created (`create`), or an existing one (`id`). */
  network: { create: boolean; id?: string; name: string; cidr: string };
  /** Credentials from the config (secret); absent ones come from the environment at deploy. */
  credentials?: Readonly<Record<string, string>>;
  /** Azure: the resource group the cluster's objects live in (created and deleted with them). */
  resourceGroup?: string;
  /** GCP: the zone of the machines. */
  zone?: string;
}

export interface ClusterModel {
  name: string;
  /** Stack name: carried in tags and labels so that objects can be traced back. */
  stack: string;
  /** Enabled clouds, by provider name. */
  clouds?: Readonly<Record<string, CloudModel>>;
  /** Tags/labels put on every cloud object (from metadata labels). */
  tags?: Readonly<Record<string, string>>;
  /** The API load balancer's name and cloud, when there is more than one master. */
  loadBalancer?: { name: string; provider: string };
  /** Name of the cloud firewalls (a suffix per provider and role is added). */
  firewallName?: string;
  nodes: readonly NodeModel[];
  bastion?: BastionModel;
  wireguard: WireGuardSettings;
  network: NetworkModel;
  kubernetes: KubernetesModel;
  salt?: SaltModel;
  argocd?: ArgoCdModel;
  /** Login user created on every machine by cloud-init, and the SSH port. */
  ssh: {
    user: string;
    port: number;
    /** Extra public keys allowed to log in (besides the deploy key). */
    authorizedKeys?: readonly string[];
    /** sshd AllowUsers (the login user is always added). */
    allowedUsers?: readonly string[];
    /** A deploy key the user gave (`security.ssh key-path`); otherwise one is generated. */
    deployKey?: { privateKey: string; publicKey: string };
  };
}

export const isServer = (n: Pick<NodeModel, 'roles'>): boolean => n.roles.includes('master') || n.roles.includes('etcd');
export const isMaster = (n: Pick<NodeModel, 'roles'>): boolean => n.roles.includes('master');
export const isEtcd = (n: Pick<NodeModel, 'roles'>): boolean => n.roles.includes('etcd');
export const isWorkerOnly = (n: Pick<NodeModel, 'roles'>): boolean => !isServer(n);
