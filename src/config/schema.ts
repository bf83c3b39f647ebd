// The `(cluster …)` configuration, declared once. Everything else in src/config is derived
// from this declaration (see schema-dsl.ts). To add a key, add it here; to start acting on
// a key that is `supported: false`, remove that flag in the same change as the code that
// acts on it.
import {
  bool,
  form,
  forms,
  int,
  list,
  listOf,
  map,
  named,
  num,
  oneOf,
  section,
  str,
  type Infer,
} from './schema-dsl.ts';

export const PROVIDERS = ['aws', 'digitalocean', 'linode', 'hetzner', 'azure', 'gcp'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** `controlplane` and `control-plane` are other names of `master` (an RKE2/K3s server). */
export const ROLES = ['master', 'etcd', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export const DISTRIBUTIONS = ['rke2', 'k3s'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

/** Pinned default Kubernetes versions, one per distribution. */
export const DEFAULT_VERSIONS: Readonly<Record<Distribution, string>> = {
  rke2: 'v1.33.5+rke2r1',
  k3s: 'v1.33.5+k3s1',
};

const providerRef = <const O extends { derived?: string; supported?: boolean }>(doc: string, o?: O) =>
  oneOf(PROVIDERS, doc, { valueAliases: { do: 'digitalocean' }, ...(o as O) });

const roles = <const O extends { derived?: string; required?: true }>(doc: string, o: O) =>
  listOf(ROLES, doc, { valueAliases: { controlplane: 'master', 'control-plane': 'master' }, ...o });

const labels = (doc: string) => map(doc);

const taints = forms('Kubernetes taints put on the nodes.', {
  taint: form(
    '`(taint "key" NoSchedule)`, `(taint "key" "value" NoSchedule)` or `(taint (key …) (value …) (effect …))`.',
    {
      key: str('Taint key.', { required: true }),
      value: str('Taint value.'),
      effect: oneOf(['NoSchedule', 'PreferNoSchedule', 'NoExecute'], 'Taint effect.', { required: true }),
    },
    [
      ['key', 'effect'],
      ['key', 'value', 'effect'],
    ],
  ),
});

const image = (doc: string) =>
  section(
    doc,
    {
      id: str('Image name or id (AMI id, DigitalOcean slug, Linode image, Hetzner image name).'),
      user: str('SSH login user of the image (default: `ubuntu` on AWS, `root` elsewhere).'),
      type: str('How the image is built (packer-style image builds).', { supported: false }),
      base: str('Base image the custom image is built from.', { supported: false }),
      provisioners: list('Provisioners run while building the image.', { supported: false }),
      tags: map('Tags put on the built image.', { supported: false }),
    },
    { optional: true, shorthand: 'id' },
  );

const vpc = (defaultCidr: string) =>
  section('Private network of this provider.', {
    create: bool('Create the network; `false` uses the existing one named by `id`.', {
      derived: '`false` when `id` is given, otherwise `true`',
    }),
    id: str('Id of an existing network to use instead of creating one.'),
    name: str('Name of the network.', { derived: '`<cluster name>-<provider>`' }),
    cidr: str('Address range of the network.', { default: defaultCidr, format: 'cidr' }),
    region: str('Region of the network (default: the provider region).', { supported: false }),
    private: bool('Keep nodes off public addresses.', { supported: false, default: false }),
    enableDns: bool('Enable DNS resolution in the network (AWS).', { supported: false, default: true }),
    enableDnsHostname: bool('Give instances DNS host names (AWS).', { supported: false, default: true }),
    internetGateway: bool('Attach an internet gateway (AWS).', { supported: false, default: true }),
    natGateway: bool('Add a NAT gateway for private subnets (AWS).', { supported: false, default: false }),
  });

const distributionOptions = (distro: Distribution, dataDir: string, installSource: string) =>
  section(
    `Options of ${distro === 'rke2' ? 'RKE2' : 'K3s'} (only with \`(distribution ${distro})\`).`,
    {
      clusterToken: str(
        'Shared secret nodes use to join. Not given: generated at deploy time and kept as a secret in the stack.',
        { secret: true },
      ),
      disableComponents: list(
        `Packaged components not to deploy (e.g. ${distro === 'rke2' ? '`rke2-ingress-nginx`' : '`traefik`'}).`,
      ),
      dataDir: str('Data directory on the nodes.', { default: dataDir, format: 'abs-path' }),
      snapshotScheduleCron: str('etcd snapshot schedule (cron).', { default: '0 */12 * * *', format: 'cron' }),
      snapshotRetention: int('Number of etcd snapshots to keep.', { default: 5, min: 1 }),
      selinux: bool('Enable SELinux support in the container runtime.', { default: false }),
      secretsEncryption: bool('Encrypt Kubernetes secrets at rest.', { default: distro === 'rke2' }),
      installSource: section(
        'Where the installer and its artifacts come from (private mirrors, air-gapped installs).',
        {
          scriptUrl: str(`URL of the install script (default: ${installSource}).`, { format: 'url' }),
          artifactUrl: str('URL prefix replacing the GitHub release downloads.', { format: 'url' }),
          artifactPath: str('Directory on the node that already holds the release artifacts.', { format: 'abs-path' }),
        },
        { optional: true, aliases: ['install-mirror'] },
      ),
      registryMirrors: map('Container registry mirrors: `(docker.io "https://mirror.example.com")`.', {
        listValues: true,
      }),
      channel: str('Release channel (the version is always pinned by `kubernetes.version`).', {
        supported: false,
      }),
    },
    { optional: true },
  );

const firewallRule = form('One inbound rule.', {
  protocol: oneOf(['tcp', 'udp', 'icmp'], 'Protocol.', { default: 'tcp' }),
  port: str('Port or range: `22`, `"30000-32767"` (not for icmp).', { format: 'port-range', fromNumber: true }),
  source: list('Networks the traffic may come from.', { format: 'cidr', required: true }),
  target: oneOf(['nodes', 'masters', 'workers', 'bastion'], 'Machines the rule opens.', { default: 'nodes' }),
  action: oneOf(['allow', 'deny'], 'What the rule does.', { default: 'allow', unsupportedValues: ['deny'] }),
  description: str('Free text.'),
});

const outboundRule = form('One outbound rule.', {
  protocol: oneOf(['tcp', 'udp', 'icmp', 'all'], 'Protocol.', { default: 'tcp' }),
  port: str('Port or range.', { format: 'port-range', fromNumber: true }),
  target: list('Destination networks.', { format: 'cidr' }),
  action: oneOf(['allow', 'deny'], 'What the rule does.', { default: 'allow' }),
  description: str('Free text.'),
});

const hookAction = (positional: 'script' | 'command' | 'url') =>
  form(
    `\`(${positional === 'command' ? 'kubectl' : positional === 'url' ? 'http' : 'script'} "…")\` or with keys.`,
    {
      command: str('Command to run.'),
      script: str('Script to run.'),
      url: str('URL to call.', { format: 'url' }),
      timeout: int('Seconds before the hook fails.', { min: 1 }),
      retryCount: int('Retries after a failure.', { min: 0 }),
      env: map('Environment of the hook.'),
    },
    [[positional]],
  );

const hookList = (doc: string) =>
  forms(
    doc,
    {
      script: hookAction('script'),
      kubectl: hookAction('command'),
      http: hookAction('url'),
      command: hookAction('command'),
    },
    { tagField: 'type' },
  );

const nodePool = section('One node pool.', {
  name: str('Name of the pool; node names are `<name>-<n>`.', { derived: 'the pool key', format: 'dns-label' }),
  provider: providerRef('Cloud the nodes run on.', { derived: 'the only enabled provider' }),
  count: int('Number of nodes.', { default: 1, min: 0 }),
  roles: roles('Kubernetes roles: `master` (also written `control-plane` or `controlplane`), `etcd`, `worker`.', {
    derived:
      '`master etcd` when the pool name is `master`, `masters`, `control-plane` or `server`, otherwise `worker`',
  }),
  size: str('Instance type / plan (`t3.medium`, `s-2vcpu-4gb`, `g6-standard-2`, `cx22`).', { required: true }),
  image: image('OS image; `(image "name")` is short for `(image (id "name"))`.'),
  region: str('Region of the nodes.', { derived: 'the region of the pool provider' }),
  zones: list('Availability zones to spread the nodes over, in turn.'),
  labels: labels('Kubernetes node labels.'),
  taints,
  spotInstance: bool('Run the nodes as spot / preemptible instances (AWS).', { default: false }),
  minCount: int('Lower bound for autoscaling.', { min: 0, supported: false }),
  maxCount: int('Upper bound for autoscaling.', { min: 0, supported: false }),
  autoScaling: bool('Enable autoscaling (short form of the autoscaling block).', { default: false, supported: false }),
  autoscaling: section(
    'Cluster-autoscaler settings.',
    {
      enabled: bool('Enable autoscaling.', { default: true }),
      minNodes: int('Minimum nodes.', { min: 0 }),
      maxNodes: int('Maximum nodes.', { min: 0 }),
      targetCpu: int('Target CPU utilisation, percent.', { min: 1, max: 100 }),
      targetMemory: int('Target memory utilisation, percent.', { min: 1, max: 100 }),
      scaleDownDelay: int('Seconds before scaling down.', { min: 0 }),
      cooldown: int('Seconds between scaling actions.', { min: 0 }),
    },
    { optional: true, supported: false },
  ),
  spotConfig: section(
    'Spot instance details beyond `spot-instance`.',
    {
      enabled: bool('Use spot instances.', { default: true }),
      maxPrice: str('Highest hourly price.', { fromNumber: true }),
      fallbackOnDemand: bool('Fall back to on-demand capacity.'),
      spotPercentage: int('Share of spot nodes, percent.', { min: 0, max: 100 }),
      interruptionMode: oneOf(['terminate', 'stop', 'hibernate'], 'What happens on interruption.'),
    },
    { optional: true, supported: false },
  ),
  preemptible: bool('GCP preemptible instances.', { default: false, supported: false }),
  userData: str('Extra cloud-init user data.', { supported: false }),
  distribution: forms(
    'Explicit spread over zones: `(zone "us-east-1a" (count 2))`.',
    {
      zone: form(
        'Nodes in one zone.',
        { zone: str('Zone name.', { required: true }), count: int('Nodes in the zone.', { min: 0 }), region: str('Region of the zone.') },
        [['zone']],
      ),
    },
    { supported: false },
  ),
});

const node = section('One individually declared node.', {
  name: str('Host name of the node.', { derived: 'the node key', format: 'dns-label' }),
  provider: providerRef('Cloud the node runs on.', { derived: 'the only enabled provider' }),
  roles: roles('Kubernetes roles.', { required: true }),
  size: str('Instance type / plan.', { required: true }),
  image: image('OS image.'),
  region: str('Region.', { derived: 'the region of the node provider' }),
  zone: str('Availability zone.'),
  labels: labels('Kubernetes node labels.'),
  taints,
  spotInstance: bool('Run as a spot instance (AWS).', { default: false }),
  pool: str('Pool the node belongs to.', { supported: false }),
  spotMaxPrice: str('Highest spot price.', { supported: false, fromNumber: true }),
});

const enabledFlag = (doc = 'Use this provider.') => bool(doc, { default: true });

export const clusterSchema = section('The cluster.', {
  metadata: section('Who and what the cluster is.', {
    name: str('Cluster name; also the stack name.', { required: true, format: 'dns-label' }),
    environment: str('Environment (`production`, `staging`, `development`…).', { default: 'development' }),
    version: str('Version of this configuration, for your own tracking.'),
    description: str('Free text.'),
    owner: str('Owning person or team.'),
    team: str('Team.'),
    labels: map('Labels recorded with the stack and put on cloud resources as tags.'),
    annotations: map('Annotations recorded with the stack.'),
  }),

  providers: section('Clouds the cluster runs on. A provider block that is present is enabled unless `(enabled false)`.', {
    aws: section(
      'Amazon Web Services.',
      {
        enabled: enabledFlag(),
        region: str('Region (e.g. `us-east-1`).'),
        accessKeyId: str('Access key id (default: the `AWS_ACCESS_KEY_ID` environment at deploy time).', {
          secret: true,
        }),
        secretAccessKey: str('Secret access key (default: `AWS_SECRET_ACCESS_KEY`).', { secret: true }),
        sessionToken: str('Session token for temporary credentials (default: `AWS_SESSION_TOKEN`).', { secret: true }),
        vpc: vpc('10.0.0.0/16'),
        securityGroups: list('Extra security groups for the instances.', { supported: false }),
        keyPair: str('Existing EC2 key pair to use.', { supported: false }),
        iamRole: str('IAM instance profile for the instances.', { supported: false }),
      },
      { optional: true },
    ),
    digitalocean: section(
      'DigitalOcean.',
      {
        enabled: enabledFlag(),
        region: str('Region (e.g. `nyc3`).'),
        token: str('API token (default: `DIGITALOCEAN_TOKEN`).', { secret: true }),
        vpc: vpc('10.10.0.0/16'),
        sshKeys: list('Existing SSH key ids or fingerprints to add.', { supported: false }),
        tags: list('Tags on the droplets.', { supported: false }),
        monitoring: bool('Enable the DigitalOcean monitoring agent.', { supported: false, default: false }),
        ipv6: bool('Enable IPv6.', { supported: false, default: false }),
      },
      { optional: true, aliases: ['do'] },
    ),
    linode: section(
      'Linode (Akamai).',
      {
        enabled: enabledFlag(),
        region: str('Region (e.g. `us-east`).'),
        token: str('API token (default: `LINODE_TOKEN`).', { secret: true }),
        vpc: vpc('10.20.0.0/16'),
        rootPassword: str('Root password of the instances.', { secret: true, supported: false }),
        privateIp: bool('Add a private IP.', { supported: false, default: false }),
        authorizedKeys: list('Extra authorized SSH keys.', { supported: false }),
        tags: list('Tags on the instances.', { supported: false }),
      },
      { optional: true },
    ),
    hetzner: section(
      'Hetzner Cloud.',
      {
        enabled: enabledFlag(),
        location: str('Location (e.g. `fsn1`).', { aliases: ['region'] }),
        token: str('API token (default: `HCLOUD_TOKEN`).', { secret: true }),
        vpc: vpc('10.30.0.0/16'),
        datacenter: str('Datacenter.', { supported: false }),
        sshKeys: list('Existing SSH key names to add.', { supported: false }),
      },
      { optional: true },
    ),
    azure: section(
      'Microsoft Azure.',
      {
        enabled: enabledFlag(),
        location: str('Location (e.g. `eastus`).', { aliases: ['region'] }),
        subscriptionId: str('Subscription id (default: `AZURE_SUBSCRIPTION_ID`).'),
        tenantId: str('Tenant of the service principal (default: `AZURE_TENANT_ID`).'),
        clientId: str('Service principal client id (default: `AZURE_CLIENT_ID`).'),
        clientSecret: str('Service principal secret (default: `AZURE_CLIENT_SECRET`, else the Azure CLI, workload or managed identity).', {
          secret: true,
        }),
        resourceGroup: str('Resource group sloth creates for the cluster and deletes with it; must not exist yet.', {
          derived: '`<cluster name>-<stack>`',
        }),
        vpc: vpc('10.40.0.0/16'),
      },
      { optional: true },
    ),
    gcp: section(
      'Google Cloud.',
      {
        enabled: enabledFlag(),
        projectId: str('Project id (default: the credentials\' project, `GOOGLE_CLOUD_PROJECT`).'),
        credentials: str('Service account key (JSON text; default: Application Default Credentials).', { secret: true }),
        region: str('Region (e.g. `us-central1`).'),
        zone: str('Zone of the machines (a pool\'s `zones` or a node\'s `zone` wins).', { derived: '`<region>-b`' }),
        vpc: vpc('10.50.0.0/16'),
      },
      { optional: true },
    ),
  }),

  network: section('How nodes talk to each other.', {
    mode: oneOf(['wireguard', 'tailscale'], 'Node-to-node overlay.', {
      default: 'wireguard',
      unsupportedValues: ['tailscale'],
    }),
    podCidr: str('Pod network.', { derived: '`kubernetes.pod-cidr`, else `10.42.0.0/16`', format: 'cidr' }),
    serviceCidr: str('Service network.', {
      derived: '`kubernetes.service-cidr`, else `10.43.0.0/16`',
      format: 'cidr',
    }),
    cidr: str('Overall cluster network.', { supported: false, format: 'cidr' }),
    dnsServers: list('DNS servers for the nodes.', { supported: false, format: 'ipv4' }),
    wireguard: section('The WireGuard mesh every node (and the bastion) joins.', {
      enabled: bool('Build the mesh (required with `(mode wireguard)`).', { default: true }),
      create: bool('sloth creates the mesh and its keys; `false` (join an existing server) is not supported yet.', {
        default: true,
      }),
      meshNetworking: bool('Full mesh between all nodes; `false` (hub and spoke) is not supported yet.', {
        default: true,
      }),
      subnetCidr: str('Addresses of the mesh; must hold every node and the bastion.', {
        default: '10.8.0.0/24',
        format: 'cidr',
      }),
      port: int('UDP listen port.', { default: 51820, min: 1, max: 65535 }),
      mtu: int('Interface MTU.', { default: 1420, min: 1280, max: 9000 }),
      persistentKeepalive: int('Keepalive interval in seconds (0 disables).', { default: 25, min: 0, max: 65535 }),
      provider: providerRef('Cloud of a dedicated VPN server.', { supported: false }),
      region: str('Region of a dedicated VPN server.', { supported: false }),
      size: str('Size of a dedicated VPN server.', { supported: false }),
      image: str('Image of a dedicated VPN server.', { supported: false }),
      name: str('Name of a dedicated VPN server.', { supported: false }),
      serverEndpoint: str('Endpoint of an existing WireGuard server.', { supported: false }),
      serverPublicKey: str('Public key of an existing WireGuard server.', { supported: false }),
      clientIpBase: str('Base address for clients.', { supported: false }),
      autoConfig: bool('Configure clients automatically.', { supported: false, default: true }),
    }),
    tailscale: section(
      'Tailscale / Headscale overlay.',
      {
        enabled: bool('Use Tailscale.', { default: true }),
        headscaleUrl: str('Headscale server URL.', { format: 'url' }),
        apiKey: str('Headscale API key.', { secret: true }),
        authKey: str('Pre-authorised key.', { secret: true }),
        namespace: str('Headscale namespace / user.'),
        tags: list('ACL tags.'),
        acceptRoutes: bool('Accept advertised routes.'),
        exitNode: str('Exit node.'),
        create: bool('Create a Headscale server.'),
        provider: providerRef('Cloud of the Headscale server.'),
        region: str('Region of the Headscale server.'),
        size: str('Size of the Headscale server.'),
        domain: str('MagicDNS domain.'),
      },
      { optional: true, supported: false },
    ),
    dns: section(
      'DNS records for the cluster.',
      {
        domain: str('Domain under which records are created (`api.<domain>`, node names).', {
          required: true,
          format: 'domain',
        }),
        provider: oneOf(['route53', 'digitalocean', 'linode', 'azure', 'gcp', 'cloudflare'], 'Who hosts the zone (`azure`: Azure DNS, `gcp`: Cloud DNS).', {
          required: true,
          unsupportedValues: ['cloudflare'],
        }),
        servers: list('Resolvers for the nodes.', { supported: false, format: 'ipv4' }),
        searches: list('Search domains for the nodes.', { supported: false }),
        externalDns: bool('Install external-dns.', { supported: false, default: false }),
      },
      { optional: true },
    ),
    firewall: section(
      'Cloud firewalls in front of the machines. Traffic the cluster needs between its machines is always allowed.',
      {
        name: str('Firewall name.', { derived: '`<cluster name>-fw`' }),
        allowedCidrs: list(
          'Networks allowed to reach the Kubernetes API and, without a bastion, SSH (none: only the mesh).',
          { format: 'cidr' },
        ),
        defaultAction: oneOf(['deny', 'allow'], 'Inbound traffic no rule matches.', {
          default: 'deny',
          unsupportedValues: ['allow'],
        }),
        inboundRules: forms('Extra inbound rules: `(rule (protocol tcp) (port 443) (source "0.0.0.0/0"))`.', {
          rule: firewallRule,
        }),
        outboundRules: forms('Outbound rules (all outbound traffic is allowed).', { rule: outboundRule }, { supported: false }),
      },
      { optional: true },
    ),
    privateCluster: section(
      'Keep the cluster off the public internet.',
      {
        enabled: bool('Make the cluster private.', { default: true }),
        natGateway: bool('Add a NAT gateway.'),
        privateEndpoint: bool('Private API endpoint.'),
        publicEndpoint: bool('Public API endpoint.'),
        allowedCidrs: list('Networks allowed to reach the API.', { format: 'cidr' }),
        vpnRequired: bool('Require the VPN to reach the cluster.'),
      },
      { optional: true, supported: false },
    ),
  }),

  security: section('Access to the machines.', {
    ssh: section('SSH access to nodes.', {
      autoGenerate: bool('Generate a key pair per stack (kept as a secret in the stack).', { default: true }),
      keyPath: str('Private key to use instead of a generated one.'),
      publicKeyPath: str('Public key matching `key-path`.'),
      authorizedKeys: list('Extra public keys allowed to log in.'),
      port: int('SSH port on the nodes.', { default: 22, min: 1, max: 65535 }),
      allowedUsers: list('Users allowed to log in over SSH.'),
      allowPasswordAuth: bool('Allow password logins.', { default: false, supported: false }),
    }),
    bastion: section(
      'A jump host; nodes then accept SSH only through it.',
      {
        enabled: bool('Create the bastion.', { default: true }),
        provider: providerRef('Cloud of the bastion.', { derived: 'the only enabled provider' }),
        region: str('Region.', { derived: 'the region of the bastion provider' }),
        size: str('Instance type / plan.', { required: true }),
        image: image('OS image.'),
        name: str('Host name.', { default: 'bastion', format: 'dns-label' }),
        allowedCidrs: list('Networks allowed to SSH to the bastion (none: nobody; give your address, e.g. `203.0.113.7/32`).', {
          format: 'cidr',
        }),
        sshPort: int('SSH port of the bastion.', { default: 22, min: 1, max: 65535 }),
        idleTimeout: int('Minutes before an idle SSH session is closed (0: never).', { default: 0, min: 0 }),
        maxSessions: int('Most concurrent SSH sessions per connection.', { default: 10, min: 1 }),
        vpnOnly: bool('Reachable only over the VPN.', { default: false, supported: false }),
        enableAuditLog: bool('Audit logging of sessions.', { default: false, supported: false }),
        enableMfa: bool('Multi-factor authentication.', { default: false, supported: false }),
      },
      { optional: true },
    ),
  }),

  nodes: named('Individually declared nodes, keyed by name: `(nodes (edge-1 (roles worker) (size "t3.small")))`.', 'node', node),

  nodePools: named(
    'Groups of identical nodes, keyed by pool name: `(node-pools (workers (count 3) (size "t3.large")))`.',
    'node pool',
    nodePool,
    { aliases: ['nodePools'] },
  ),

  kubernetes: section('The Kubernetes distribution and its networks.', {
    distribution: oneOf(DISTRIBUTIONS, 'Distribution.', { default: 'rke2' }),
    version: str('Kubernetes version in the distribution format: `v1.29.0+rke2r1`, `v1.29.0+k3s1`.', {
      derived: `\`${DEFAULT_VERSIONS.rke2}\` for rke2, \`${DEFAULT_VERSIONS.k3s}\` for k3s`,
    }),
    networkPlugin: oneOf(['canal', 'calico', 'cilium', 'flannel', 'none'], 'CNI plugin (rke2: canal, calico, cilium; k3s: flannel; none: bring your own).', {
      derived: '`canal` for rke2, `flannel` for k3s',
    }),
    podCidr: str('Pod network (same as `network.pod-cidr`).', { derived: '`network.pod-cidr`', format: 'cidr' }),
    serviceCidr: str('Service network (same as `network.service-cidr`).', {
      derived: '`network.service-cidr`',
      format: 'cidr',
    }),
    clusterDns: str('Cluster DNS service address, inside the service network.', {
      derived: 'the 10th address of the service network (`10.43.0.10`)',
      format: 'ipv4',
    }),
    clusterDomain: str('Cluster DNS domain.', { default: 'cluster.local', format: 'domain' }),
    tlsSan: list('Extra names and addresses for the API server certificate.', { format: 'host' }),
    highAvailability: bool('Several servers with embedded etcd; needs at least 3 etcd members.', {
      derived: '`true` when there are 3 or more etcd members',
    }),
    rke2: distributionOptions('rke2', '/var/lib/rancher/rke2', 'https://get.rke2.io'),
    k3s: distributionOptions('k3s', '/var/lib/rancher/k3s', 'https://get.k3s.io'),
  }),

  addons: section('Software installed after the cluster is up.', {
    salt: section(
      'Salt master on a node and minions on every node.',
      {
        enabled: bool('Install Salt.', { default: true }),
        masterNode: str('Node that runs the Salt master: a node name such as `masters-1`, or `bastion` (default: the first master node).'),
        apiEnabled: bool('Run the Salt REST API on the master.', { default: true }),
        apiPort: int('Port of the Salt API.', { default: 8000, min: 1, max: 65535 }),
        apiUsername: str('Salt API user.', { default: 'saltapi' }),
        apiPassword: str('Salt API password (not given: generated at deploy time, kept as a secret).', {
          secret: true,
        }),
        secureAuth: bool('Accept minions only by the cluster token grain (no auto-accept).', { default: true }),
        autoJoin: bool('Install minions on every node and join them.', { default: true }),
        auditLogging: bool('Log Salt jobs on the master.', { default: true }),
        stateRoots: str('Salt state roots.', { supported: false }),
        pillarRoots: str('Salt pillar roots.', { supported: false }),
        gitopsRepo: str('Git repository of Salt states.', { supported: false, format: 'git-url' }),
        gitopsBranch: str('Branch of the Salt state repository.', { supported: false }),
      },
      { optional: true },
    ),
    argocd: section(
      'Argo CD, optionally bootstrapped from a GitOps repository.',
      {
        enabled: bool('Install Argo CD.', { default: true }),
        version: str('Argo CD release tag (pinned: a moving `stable` would change clusters behind your back).', {
          default: 'v2.14.19',
        }),
        namespace: str('Namespace.', { default: 'argocd', format: 'dns-label' }),
        gitopsRepoUrl: str('Repository with Argo CD applications.', { format: 'git-url' }),
        gitopsRepoBranch: str('Branch of that repository.', { default: 'main' }),
        appsPath: str('Path of the applications in that repository.', { default: 'argocd/apps' }),
      },
      { optional: true },
    ),
  }),

  loadBalancer: section(
    'A cloud load balancer in front of the Kubernetes API (6443) and the RKE2/K3s join port.',
    {
      name: str('Name.', { derived: '`<cluster name>-api`' }),
      type: oneOf(['network', 'application'], 'Kind of load balancer.', {
        default: 'network',
        unsupportedValues: ['application'],
      }),
      provider: providerRef('Cloud of the load balancer.', { derived: 'the provider of the first master pool' }),
    },
    { optional: true, aliases: ['loadBalancer'] },
  ),

  monitoring: section(
    'Prometheus and Grafana.',
    {
      enabled: bool('Install monitoring.', { default: true }),
      provider: str('Monitoring stack.'),
      prometheus: section(
        'Prometheus.',
        {
          enabled: bool('Install Prometheus.', { default: true }),
          retention: str('Retention.', { format: 'duration' }),
          storageSize: str('Volume size.'),
          replicas: int('Replicas.', { min: 1 }),
          scrapeInterval: str('Scrape interval.', { format: 'duration' }),
        },
        { optional: true },
      ),
      grafana: section(
        'Grafana.',
        {
          enabled: bool('Install Grafana.', { default: true }),
          adminPassword: str('Admin password.', { secret: true }),
          ingress: bool('Expose through an ingress.'),
          domain: str('Host name.', { format: 'domain' }),
        },
        { optional: true },
      ),
    },
    { optional: true, supported: false },
  ),

  storage: section(
    'Storage classes.',
    { defaultClass: str('Default storage class.') },
    { optional: true, supported: false },
  ),

  upgrade: section(
    'How cluster upgrades roll.',
    {
      strategy: oneOf(['rolling', 'blue-green', 'canary', 'in-place'], 'Strategy.'),
      maxUnavailable: int('Nodes down at once.', { min: 0 }),
      maxSurge: int('Extra nodes during the upgrade.', { min: 0 }),
      drainTimeout: int('Seconds to drain a node.', { min: 0 }),
      healthCheckInterval: int('Seconds between health checks.', { min: 1 }),
      pauseOnFailure: bool('Stop on the first failure.'),
      autoRollback: bool('Roll back on failure.'),
    },
    { optional: true, supported: false },
  ),

  backup: section(
    'Cluster backups.',
    {
      enabled: bool('Take backups.', { default: true }),
      schedule: str('Backup schedule (cron).', { format: 'cron' }),
      retention: int('Backups to keep.', { min: 1 }),
      retentionDays: int('Days to keep backups.', { min: 1 }),
      provider: str('Backup tool.'),
      location: str('Backup location name.'),
      includeEtcd: bool('Include etcd snapshots.'),
      includeVolumes: bool('Include persistent volumes.'),
      components: list('Components to back up.'),
      storage: section(
        'Where backups go.',
        {
          type: str('Storage type (`s3`…).'),
          bucket: str('Bucket.'),
          region: str('Region.'),
          path: str('Prefix in the bucket.'),
          endpoint: str('Endpoint of an S3-compatible store.', { format: 'url' }),
          accessKey: str('Access key.', { secret: true }),
          secretKey: str('Secret key.', { secret: true }),
        },
        { optional: true },
      ),
    },
    { optional: true, supported: false },
  ),

  hooks: section(
    'Actions run at points of the cluster life cycle: `(script "path")`, `(kubectl "args")`, `(http "url")`.',
    {
      postNodeCreate: hookList('After a node is created.'),
      preClusterDestroy: hookList('Before the cluster is destroyed.'),
      postClusterReady: hookList('When the cluster is ready.'),
      preNodeDelete: hookList('Before a node is deleted.'),
      postUpgrade: hookList('After an upgrade.'),
    },
    { optional: true, supported: false },
  ),

  costControl: section(
    'Cost estimates and alerts.',
    {
      estimate: bool('Estimate monthly cost before deploying.'),
      monthlyLimit: num('Monthly budget.', { min: 0 }),
      alertThreshold: int('Alert at this share of the budget, percent.', { min: 1, max: 100 }),
      notify: str('Who to notify.'),
      rightSizing: bool('Suggest smaller sizes.'),
      unusedResourcesAlert: bool('Alert on unused resources.'),
      costTags: map('Tags for cost allocation.'),
    },
    { optional: true, supported: false, aliases: ['costControl'] },
  ),
});

export type ClusterConfig = Infer<typeof clusterSchema>;
export type Metadata = ClusterConfig['metadata'];
export type Providers = ClusterConfig['providers'];
export type AwsProvider = NonNullable<Providers['aws']>;
export type DigitalOceanProvider = NonNullable<Providers['digitalocean']>;
export type LinodeProvider = NonNullable<Providers['linode']>;
export type HetznerProvider = NonNullable<Providers['hetzner']>;
export type VpcConfig = AwsProvider['vpc'];
export type NetworkConfig = ClusterConfig['network'];
export type WireGuardConfig = NetworkConfig['wireguard'];
export type DnsConfig = NonNullable<NetworkConfig['dns']>;
export type FirewallConfig = NonNullable<NetworkConfig['firewall']>;
export type FirewallRule = FirewallConfig['inboundRules'][number];
export type SecurityConfig = ClusterConfig['security'];
export type SshConfig = SecurityConfig['ssh'];
export type BastionConfig = NonNullable<SecurityConfig['bastion']>;
export type NodePool = ClusterConfig['nodePools'][string];
export type NodeConfig = ClusterConfig['nodes'][string];
export type Taint = NodePool['taints'][number];
export type ImageConfig = NonNullable<NodePool['image']>;
export type KubernetesConfig = ClusterConfig['kubernetes'];
export type DistributionOptions = NonNullable<KubernetesConfig['rke2']>;
export type AddonsConfig = ClusterConfig['addons'];
export type SaltConfig = NonNullable<AddonsConfig['salt']>;
export type ArgoCdConfig = NonNullable<AddonsConfig['argocd']>;
export type LoadBalancerConfig = NonNullable<ClusterConfig['loadBalancer']>;
