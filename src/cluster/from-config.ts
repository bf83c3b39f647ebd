// The thin adapter from a validated ClusterConfig (src/config) to the planner's cluster
// model. Every key the config layer marks as supported is either carried into the model
// here (and so acted on by the planner) or refused with "not supported yet"; see
// docs/cluster.md for the key-by-key table.
import type { ClusterConfig, NodeConfig, NodePool } from '../config/index.ts';
import { enabledProviders, providerRegion } from '../config/index.ts';
import { ClusterPlanError } from './errors.ts';
import type { ClusterModel, CloudModel, DnsProvider, ExtraFirewallRule, NodeModel, Role, Taint } from './model.ts';
import { DEFAULT_SALT_VERSION } from './bootstrap/salt.ts';

/** Clouds the planner has a mapping for (see src/cluster/clouds/). */
export const PLANNED_CLOUDS = ['aws', 'digitalocean', 'linode', 'hetzner', 'azure', 'gcp'] as const;

const DEFAULT_NETWORK_CIDR: Record<string, string> = { aws: '10.0.0.0/16', digitalocean: '10.10.0.0/16', linode: '10.20.0.0/16', hetzner: '10.30.0.0/16', azure: '10.40.0.0/16', gcp: '10.50.0.0/16' };

export interface FromConfigOptions {
  /** The stack the cluster deploys to. */
  stack: string;
  /** The operator's public address(es), as CIDRs, when the CLI knows them. */
  operatorCidrs?: readonly string[];
  /** The key pair read from `security.ssh key-path` / `public-key-path`, when the config names one. */
  deployKey?: { privateKey: string; publicKey: string };
}

const CREDENTIAL_KEYS: Record<string, string[]> = { aws: ['accessKeyId', 'secretAccessKey', 'sessionToken'], digitalocean: ['token'], linode: ['token'], hetzner: ['token'], azure: ['subscriptionId', 'tenantId', 'clientId', 'clientSecret'], gcp: ['projectId', 'credentials'] };

const unsupported = (what: string, hint?: string) => new ClusterPlanError(`${what} is not supported yet`, { hint });

interface TaintConfig {
  key: string;
  value?: string;
  effect: Taint['effect'];
}

function nodesOf(config: ClusterConfig): NodeModel[] {
  const nodes: NodeModel[] = [];
  for (const [key, pool] of Object.entries(config.nodePools) as Array<[string, NodePool]>) {
    const name = pool.name ?? key;
    const zones = pool.zones ?? [];
    for (let i = 1; i <= pool.count; i++) {
      nodes.push({
        name: `${name}-${i}`,
        pool: name,
        configPath: `node-pools.${key}`,
        index: i,
        provider: pool.provider!,
        region: pool.region!,
        size: pool.size,
        image: pool.image?.id,
        loginUser: pool.image?.user,
        zone: zones.length > 0 ? zones[(i - 1) % zones.length] : undefined,
        roles: [...(pool.roles ?? [])] as Role[],
        publicAddress: true,
        spot: pool.spotInstance,
        labels: { ...(pool.labels ?? {}) },
        taints: ((pool.taints ?? []) as TaintConfig[]).map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
      });
    }
  }
  for (const [key, node] of Object.entries(config.nodes) as Array<[string, NodeConfig]>) {
    const name = node.name ?? key;
    nodes.push({
      name,
      pool: name,
      configPath: `nodes.${key}`,
      index: 1,
      provider: node.provider!,
      region: node.region!,
      size: node.size,
      image: node.image?.id,
      loginUser: node.image?.user,
      zone: node.zone,
      roles: [...(node.roles ?? [])] as Role[],
      publicAddress: true,
      spot: node.spotInstance,
      labels: { ...(node.labels ?? {}) },
      taints: ((node.taints ?? []) as TaintConfig[]).map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
    });
  }
  return nodes;
}

function cloudsOf(config: ClusterConfig, stack: string): Record<string, CloudModel> {
  const clouds: Record<string, CloudModel> = {};
  for (const provider of enabledProviders(config)) {
    if (!(PLANNED_CLOUDS as readonly string[]).includes(provider)) throw unsupported(`provider '${provider}'`, `Use one of: ${PLANNED_CLOUDS.join(', ')}.`);
    const block = (config.providers as Record<string, ({ vpc?: { create?: boolean; id?: string; name?: string; cidr?: string } } & Record<string, unknown>) | undefined>)[provider];
    const vpc = block?.vpc;
    const region = providerRegion(config, provider);
    if (!region) throw new ClusterPlanError(`providers.${provider} has no region`, { hint: `Add (region "…") to the ${provider} block.` });
    if ((provider === 'azure' || provider === 'gcp') && vpc?.id !== undefined) throw unsupported(`providers.${provider} vpc id (an existing network)`, 'Leave id out: sloth creates the network.');
    clouds[provider] = {
      region,
      network: {
        create: vpc?.create ?? vpc?.id === undefined,
        id: vpc?.id,
        name: vpc?.name ?? `${config.metadata.name}-${provider}`,
        cidr: vpc?.cidr ?? DEFAULT_NETWORK_CIDR[provider]!,
      },
      credentials: Object.fromEntries(
        CREDENTIAL_KEYS[provider]!.flatMap((k) => (typeof block?.[k] === 'string' ? [[k, block[k] as string]] : [])),
      ),
      ...(provider === 'azure' ? { resourceGroup: (block?.resourceGroup as string | undefined) ?? `${config.metadata.name}-${stack}` } : {}),
      ...(provider === 'gcp' ? { zone: (block?.zone as string | undefined) ?? `${region}-b` } : {}),
    };
  }
  return clouds;
}

export function modelFromConfig(config: ClusterConfig, options: FromConfigOptions): ClusterModel {
  const name = config.metadata.name;
  const nodes = nodesOf(config);
  const clouds = cloudsOf(config, options.stack);
  for (const n of nodes) {
    if (!clouds[n.provider]) throw new ClusterPlanError(`node pool '${n.pool}' uses provider '${n.provider}', which is not enabled`, { hint: `Add a (${n.provider} …) block under providers.` });
    if (n.region !== clouds[n.provider]!.region) {
      throw unsupported(`node pool '${n.pool}' in region ${n.region} while providers.${n.provider} is in ${clouds[n.provider]!.region}: pools in more than one region of a provider`, 'Use the provider region for every pool of that provider.');
    }
  }

  const k = config.kubernetes;
  const distribution = k.distribution;
  const options_ = (distribution === 'rke2' ? k.rke2 : k.k3s) as
    | {
        clusterToken?: string;
        disableComponents?: string[];
        dataDir?: string;
        snapshotScheduleCron?: string;
        snapshotRetention?: number;
        selinux?: boolean;
        secretsEncryption?: boolean;
        installSource?: { scriptUrl?: string; artifactUrl?: string; artifactPath?: string };
        registryMirrors?: Record<string, string[]>;
      }
    | undefined;

  const ssh = config.security.ssh;
  let deployKey: FromConfigOptions['deployKey'];
  if (ssh.keyPath) {
    if (!options.deployKey) throw new ClusterPlanError(`security.ssh key-path ${ssh.keyPath} was not read`, { hint: 'The CLI reads the key file and passes it to the planner.' });
    deployKey = options.deployKey;
  } else if (!ssh.autoGenerate) {
    throw new ClusterPlanError('security.ssh auto-generate is false but no key-path is given', { hint: 'Set (key-path "~/.ssh/id_ed25519"), or leave auto-generate on.' });
  }

  const firewall = config.network.firewall;
  const extraFirewallRules: ExtraFirewallRule[] = (firewall?.inboundRules ?? []).map((r) => {
    if (r.action === 'deny') throw unsupported('a deny rule in network.firewall', 'Everything not allowed is already denied; remove the rule.');
    return { protocol: r.protocol, ports: r.port, sources: r.source, target: r.target, description: r.description };
  });

  const bastionConfig = config.security.bastion;
  const bastion =
    bastionConfig?.enabled === true
      ? {
          name: bastionConfig.name,
          provider: bastionConfig.provider!,
          region: bastionConfig.region!,
          size: bastionConfig.size,
          image: bastionConfig.image?.id,
          loginUser: bastionConfig.image?.user,
          allowedCidrs: bastionConfig.allowedCidrs ?? [],
          sshPort: bastionConfig.sshPort,
          idleTimeoutMinutes: bastionConfig.idleTimeout,
          maxSessions: bastionConfig.maxSessions,
        }
      : undefined;
  if (bastion && !clouds[bastion.provider]) throw new ClusterPlanError(`security.bastion uses provider '${bastion.provider}', which is not enabled`);
  if (bastion && bastion.region !== clouds[bastion.provider]!.region) throw unsupported(`a bastion in region ${bastion.region} while providers.${bastion.provider} is in ${clouds[bastion.provider]!.region}`);

  const firstMaster = nodes.find((n) => n.roles.includes('master'));
  const saltConfig = config.addons.salt;
  let salt: ClusterModel['salt'];
  if (saltConfig?.enabled) {
    if (!saltConfig.secureAuth) throw unsupported('addons.salt secure-auth false (auto-accepting minion keys)', 'sloth pre-accepts the keys of its own minions; leave secure-auth on.');
    salt = {
      master: saltConfig.masterNode ?? firstMaster?.name ?? '',
      apiEnabled: saltConfig.apiEnabled,
      apiPort: saltConfig.apiPort,
      apiUsername: saltConfig.apiUsername,
      apiPassword: saltConfig.apiPassword,
      minions: saltConfig.autoJoin,
      jobCache: saltConfig.auditLogging,
      version: DEFAULT_SALT_VERSION,
    };
  }
  const argoConfig = config.addons.argocd;
  const argocd: ClusterModel['argocd'] = argoConfig?.enabled
    ? {
        version: argoConfig.version,
        namespace: argoConfig.namespace,
        repoUrl: argoConfig.gitopsRepoUrl,
        branch: argoConfig.gitopsRepoBranch,
        appsPath: argoConfig.appsPath,
        appOfAppsName: 'root-app',
      }
    : undefined;

  const lb = config.loadBalancer;
  const source = options_?.installSource;
  return {
    name,
    stack: options.stack,
    clouds,
    tags: { ...(config.metadata.labels ?? {}) },
    loadBalancer: { name: lb?.name ?? `${name}-api`, provider: lb?.provider ?? firstMaster?.provider ?? Object.keys(clouds)[0]! },
    firewallName: firewall?.name ?? `${name}-fw`,
    nodes,
    bastion,
    wireguard: {
      subnetCidr: config.network.wireguard.subnetCidr,
      port: config.network.wireguard.port,
      mtu: config.network.wireguard.mtu,
      persistentKeepalive: config.network.wireguard.persistentKeepalive,
      interfaceName: 'wg0',
    },
    network: {
      podCidr: config.network.podCidr!,
      serviceCidr: config.network.serviceCidr!,
      allowedCidrs: firewall?.allowedCidrs ?? [],
      operatorCidrs: options.operatorCidrs,
      extraFirewallRules,
      dns: config.network.dns ? { domain: config.network.dns.domain, provider: config.network.dns.provider as DnsProvider } : undefined,
    },
    kubernetes: {
      distribution,
      version: k.version!,
      cni: k.networkPlugin!,
      clusterDns: k.clusterDns!,
      clusterDomain: k.clusterDomain,
      disable: options_?.disableComponents ?? [],
      tlsSan: k.tlsSan ?? [],
      selinux: options_?.selinux ?? false,
      secretsEncryption: options_?.secretsEncryption ?? distribution === 'rke2',
      etcdSnapshot: { scheduleCron: options_?.snapshotScheduleCron ?? '0 */12 * * *', retention: options_?.snapshotRetention ?? 5 },
      installSource: source ? { installScriptUrl: source.scriptUrl, artifactUrl: source.artifactUrl, artifactPath: source.artifactPath } : undefined,
      registryMirrors: options_?.registryMirrors,
      dataDir: options_?.dataDir,
      clusterToken: options_?.clusterToken,
    },
    salt,
    argocd,
    ssh: {
      user: 'sloth',
      port: ssh.port,
      authorizedKeys: ssh.authorizedKeys ?? [],
      allowedUsers: ssh.allowedUsers ?? [],
      deployKey,
    },
  };
}
