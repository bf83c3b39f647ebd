// The cluster plan: everything the planner decides, independent of any engine or cloud.
// From a resolved model and what the last deployment recorded, it chooses the mesh
// (addresses, keys, peers), the firewall rules, each machine's user-data, and the ordered
// remote steps (the machine's own host key, wait for cloud-init, mesh, Kubernetes
// install/join, kubeconfig, readiness, Salt, ArgoCD). Values only known once machines exist appear as placeholders with a
// `ValueSource` naming where they come from; the graph turns those into output references.
//
// Secrets generated here (tokens, keys) are carried over from `previous` whenever they
// exist, so re-planning never rotates anything by accident.
import { ClusterPlanError } from './errors.ts';
import { isMaster, isServer, type ClusterModel, type NodeModel } from './model.ts';
import { deriveFirewallRules, targetIncludes, type FirewallPlan, type FirewallRule } from './firewall/rules.ts';
import { meshMembersOf } from './wireguard/members.ts';
import { planMesh, type MeshPlan, type PreviousMeshMember } from './wireguard/mesh.ts';
import { natActive, renderClientNat, renderWgQuickConfig, type EndpointResolver } from './wireguard/render.ts';
import { emptyVpnRecord, reservedClientAddresses, type VpnRecord } from './wireguard/clients.ts';
import { checkRoles, clusterInitNode, masterNodes, needsApiLoadBalancer, registrationNode } from './topology.ts';
import { renderUserData } from './bootstrap/cloud-init.ts';
import { renderHostConfigScript } from './bootstrap/host-config.ts';
import { renderHostFirewallScript } from './bootstrap/host-firewall.ts';
import { generateEd25519KeyPair, type SshKeyPair } from './bootstrap/ssh-keys.ts';
import { generateToken } from './bootstrap/secrets.ts';
import { placeholder } from './bootstrap/template.ts';
import type { PayloadFile } from './bootstrap/shell.ts';
import { renderMeshScript, renderWaitForCloudInitScript } from './bootstrap/machine-scripts.ts';
import { hostKeyPayload, renderHostKeyScript } from './bootstrap/host-key.ts';
import {
  PATHS,
  checkKubernetesSettings,
  kubernetesPayload,
  renderClusterReadyScript,
  renderKubeconfigScript,
  renderKubernetesInstallScript,
} from './bootstrap/kubernetes.ts';
import { planSalt, type PreviousSalt, type SaltPlan } from './bootstrap/salt.ts';
import { planArgoCd } from './bootstrap/argocd.ts';
import { planUserManifests, type UserManifest } from './bootstrap/user-manifests.ts';
import { recoveredWarning } from './recovery.ts';

/** Where a value known only at apply time comes from. */
export type ValueSource =
  | { kind: 'address'; machine: string; which: 'public' | 'private' }
  /** The load balancer in front of the API servers (its DNS name or address). */
  | { kind: 'load-balancer' }
  /** The host name or address users reach the API on. */
  | { kind: 'api-host' };

export interface StepConnection {
  machine: string;
  host: ValueSource;
  port: number;
  user: string;
  /** The machine's own SSH host key (`ssh-ed25519 …`): connections are refused unless it matches. */
  hostKey: string;
  /** The key in its user-data, also accepted by the one step that replaces it (`hostkey-<m>`). */
  formerHostKey?: string;
  /** Jump through the bastion (pinned to the bastion's own key). */
  via?: { machine: string; host: ValueSource; port: number; user: string; hostKey: string };
}

export interface RemoteStep {
  /** Unique and stable, e.g. `mesh-masters-1`; also the logical name of its resource. */
  name: string;
  /** `host-key`: the machine's first step, which installs its own host key (sloth:remote:HostKey); otherwise a command. */
  kind?: 'host-key';
  machine: string;
  purpose: string;
  connection: StepConnection;
  /** The script; may hold placeholders. Never holds a secret. */
  script: string;
  /** Files delivered on stdin; they are secret (keys, tokens, configs holding them). */
  files: PayloadFile[];
  /** Placeholder name → where its value comes from. */
  vars: Record<string, ValueSource>;
  /** Steps that must have run first. */
  after: string[];
  /** What the step prints on stdout: nothing worth keeping, plain text, or a secret. */
  output: 'none' | 'text' | 'secret';
  timeoutSeconds: number;
}

export interface MachinePlan {
  name: string;
  kind: 'node' | 'bastion';
  provider: string;
  region: string;
  node?: NodeModel;
  /** The host key in its user-data: it pins the first connection, which replaces it with `ownHostKey`. */
  hostKey: SshKeyPair;
  /** The host key the machine serves from its first step on; every other connection pins it (bootstrap/host-key.ts). */
  ownHostKey: SshKeyPair;
  /** Depends only on what is fixed for the machine's life (see bootstrap/cloud-init.ts). */
  userData: string;
  /** Public rules that target this machine (what its cloud firewall must carry). */
  firewallRules: FirewallRule[];
  /** The full host firewall script its `host-<m>` step installs (from `firewallRules`). */
  hostFirewallScript: string;
}

/** What the last deployment recorded, so that nothing is renumbered, re-keyed or rotated. */
export interface PreviousCluster {
  mesh: Record<string, PreviousMeshMember>;
  hostKeys: Record<string, SshKeyPair>;
  ownHostKeys: Record<string, SshKeyPair>;
  deployKey?: SshKeyPair;
  tokens?: { server: string; agent: string };
  initServer?: string;
  servers: string[];
  salt?: PreviousSalt;
  /** VPN clients recorded by `vpn join` (root output `vpnPeers`). */
  vpn?: VpnRecord;
  /** When the stack was rebuilt by refresh --config (recovery.ts); the deploy key's private half may then be '' (unknown). */
  recovered?: string;
}

export const emptyPrevious = (): PreviousCluster => ({ mesh: {}, hostKeys: {}, ownHostKeys: {}, servers: [] });

export interface ClusterPlan {
  model: ClusterModel;
  mesh: MeshPlan;
  firewall: FirewallPlan;
  machines: MachinePlan[];
  steps: RemoteStep[];
  deployKey: SshKeyPair;
  tokens: { server: string; agent: string };
  /** The server that initialised (or initialises) etcd, when one still exists. */
  initServer?: string;
  servers: string[];
  /** Node whose API answers the kubeconfig and readiness steps. */
  apiNode: string;
  apiLoadBalancer: boolean;
  /** Host users reach the API on, when known at plan time (`api.<domain>`). */
  apiDomain?: string;
  salt?: SaltPlan;
  /** When the stack was rebuilt by refresh --config (recovery.ts). */
  recovered?: string;
  warnings: string[];
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function checkNames(model: ClusterModel): void {
  const seen = new Set<string>();
  for (const name of [...(model.bastion ? [model.bastion.name] : []), ...model.nodes.map((n) => n.name)]) {
    if (!DNS_LABEL.test(name)) {
      throw new ClusterPlanError(`machine name '${name}' is not a valid host name (lowercase letters, digits and '-', at most 63 characters)`, {
        hint: 'Rename the node pool: its nodes are called <pool>-<n>.',
      });
    }
    if (seen.has(name)) throw new ClusterPlanError(`two machines would both be called '${name}'`, { hint: 'Give the pools (or the bastion) different names.' });
    seen.add(name);
  }
}

export interface PlanOptions {
  /** Manifests applied after the cluster is Ready (deploy --manifest). */
  manifests?: readonly UserManifest[];
}

/**
 * What a member's mesh step delivers: its wg-quick file and the nftables file for VPN clients
 * that route the cluster networks (see wireguard/render.ts). `vpn join` delivers the same.
 */
export function meshFiles(model: Pick<ClusterModel, 'wireguard' | 'network'>, mesh: MeshPlan, member: string, resolveEndpoint: EndpointResolver): PayloadFile[] {
  const iface = model.wireguard.interfaceName;
  const natFile = `/etc/wireguard/${iface}-clients.nft`;
  const cidrs = [model.network.podCidr, model.network.serviceCidr];
  return [
    { path: `/etc/wireguard/${iface}.conf`, mode: '0600', content: renderWgQuickConfig(mesh, member, resolveEndpoint, natActive(mesh, member) ? { postUp: `nft -f ${natFile}` } : {}) },
    { path: natFile, mode: '0600', content: renderClientNat(mesh, member, cidrs) },
  ];
}

export function planCluster(model: ClusterModel, previous: PreviousCluster = emptyPrevious(), options: PlanOptions = {}): ClusterPlan {
  checkNames(model);
  checkRoles(model);
  checkKubernetesSettings(model);
  const warnings: string[] = [];

  const vpn = previous.vpn ?? emptyVpnRecord();
  const mesh = planMesh({ settings: model.wireguard, members: meshMembersOf(model), previous: previous.mesh, clients: vpn.clients, reserved: reservedClientAddresses(vpn) });
  const firewall = deriveFirewallRules(model, { vpnClients: mesh.clients.length > 0 });
  warnings.push(...firewall.warnings);
  const deployKey = model.ssh.deployKey ?? previous.deployKey ?? generateEd25519KeyPair(`sloth-kubernetes ${model.stack}`);
  const tokens = {
    server: model.kubernetes.clusterToken ?? previous.tokens?.server ?? generateToken(),
    agent: previous.tokens?.agent ?? generateToken(),
  };
  const address = new Map(mesh.members.map((m) => [m.name, m.address]));
  const apiLoadBalancer = needsApiLoadBalancer(model);
  const apiDomain = model.network.dns ? `api.${model.network.dns.domain}` : undefined;
  const salt = model.salt ? planSalt(model, mesh, previous.salt) : undefined;

  // Machines and their user-data.
  const machines: MachinePlan[] = [];
  const loginUser = (name: string, node?: NodeModel): string => (node ? node.loginUser : model.bastion?.name === name ? model.bastion.loginUser : undefined) ?? model.ssh.user;
  const saltMaster = model.salt?.master;
  const addMachine = (name: string, kind: 'node' | 'bastion', provider: string, region: string, node?: NodeModel) => {
    const hostKey = previous.hostKeys[name] ?? generateEd25519KeyPair(name);
    const ownHostKey = previous.ownHostKeys[name] ?? generateEd25519KeyPair(name);
    const machineFacts = kind === 'bastion' ? { kind: 'bastion' as const } : { kind: 'node' as const, roles: node!.roles };
    const firewallRules = firewall.rules.filter((r) => r.via === 'public' && targetIncludes(r.target, machineFacts, saltMaster === name));
    const userData = renderUserData({
      hostname: name,
      kind,
      sshUser: loginUser(name, node),
      sshPort: kind === 'bastion' ? model.bastion!.sshPort : model.ssh.port,
      deployPublicKey: deployKey.publicKey,
      hostKey,
    });
    machines.push({ name, kind, provider, region, node, hostKey, ownHostKey, userData, firewallRules, hostFirewallScript: renderHostFirewallScript(firewallRules) });
  };
  if (model.bastion) addMachine(model.bastion.name, 'bastion', model.bastion.provider, model.bastion.region);
  for (const node of model.nodes) addMachine(node.name, 'node', node.provider, node.region, node);
  const machine = new Map(machines.map((m) => [m.name, m]));

  // How we reach each machine over SSH.
  const connection = (name: string): StepConnection => {
    const m = machine.get(name)!;
    if (m.kind === 'bastion' || !model.bastion) {
      if (m.node && !m.node.publicAddress) throw new ClusterPlanError(`node '${name}' has no public address and there is no bastion to reach it through`, { hint: 'Enable security.bastion.' });
      return { machine: name, host: { kind: 'address', machine: name, which: 'public' }, port: m.kind === 'bastion' ? model.bastion!.sshPort : model.ssh.port, user: loginUser(name, m.node), hostKey: m.ownHostKey.publicKey };
    }
    const bastion = machine.get(model.bastion.name)!;
    const sameNetwork = bastion.provider === m.provider && bastion.region === m.region;
    if (!sameNetwork && !m.node!.publicAddress) {
      throw new ClusterPlanError(`node '${name}' has no public address and is not on the bastion's network (${bastion.provider} ${bastion.region}), so nothing can reach it`, {
        hint: 'Put the bastion in the same provider and region, or give the pool a public address.',
      });
    }
    return {
      machine: name,
      host: { kind: 'address', machine: name, which: sameNetwork ? 'private' : 'public' },
      port: model.ssh.port,
      user: loginUser(name, m.node),
      hostKey: m.ownHostKey.publicKey,
      via: { machine: bastion.name, host: { kind: 'address', machine: bastion.name, which: 'public' }, port: model.bastion.sshPort, user: loginUser(bastion.name), hostKey: bastion.ownHostKey.publicKey },
    };
  };

  const steps: RemoteStep[] = [];
  const step = (s: Omit<RemoteStep, 'connection'>) => steps.push({ ...s, connection: connection(s.machine) });

  // First, each machine's own host key replaces the one its user-data holds (the bastion's
  // before those of the machines reached through it).
  for (const m of machines) {
    const c = connection(m.name);
    steps.push({
      name: `hostkey-${m.name}`,
      kind: 'host-key',
      machine: m.name,
      purpose: `replace the SSH host key of ${m.name} (the one in its user-data) with its own`,
      connection: { ...c, formerHostKey: m.hostKey.publicKey },
      script: renderHostKeyScript(m.name),
      files: hostKeyPayload(m.ownHostKey),
      vars: {},
      after: c.via ? [`hostkey-${c.via.machine}`] : [],
      output: 'none',
      timeoutSeconds: 600,
    });
  }
  for (const m of machines) {
    step({ name: `cloud-init-${m.name}`, machine: m.name, purpose: `wait for cloud-init on ${m.name}`, script: renderWaitForCloudInitScript(m.name), files: [], vars: {}, after: [`hostkey-${m.name}`], output: 'none', timeoutSeconds: 1200 });
  }
  // What may change while the machine lives (firewall rules, SSH access, facts): a step that
  // runs again whenever it changes, instead of user-data, which would replace the machine.
  for (const m of machines) {
    step({
      name: `host-${m.name}`,
      machine: m.name,
      purpose: `host firewall and SSH access on ${m.name}`,
      script: renderHostConfigScript({
        machine: m.name,
        loginUser: loginUser(m.name, m.node),
        authorizedKeys: [deployKey.publicKey, ...(model.ssh.authorizedKeys ?? [])],
        allowedUsers: model.ssh.allowedUsers,
        idleTimeoutMinutes: m.kind === 'bastion' ? model.bastion!.idleTimeoutMinutes : undefined,
        maxSessions: m.kind === 'bastion' ? model.bastion!.maxSessions : undefined,
        firewallScript: m.hostFirewallScript,
        facts: { kind: m.kind, cluster: model.name, stack: model.stack, provider: m.provider, region: m.region, ...(m.node ? { pool: m.node.pool, roles: m.node.roles } : {}), wireguardAddress: address.get(m.name) },
      }),
      files: [],
      vars: {},
      after: [`cloud-init-${m.name}`],
      output: 'none',
      timeoutSeconds: 300,
    });
  }

  // The mesh: each member's config names its peers' endpoints as placeholders.
  for (const member of mesh.members) {
    const vars: Record<string, ValueSource> = {};
    const files = meshFiles(model, mesh, member.name, (ref) => {
      const name = `addr-${ref.via}-${ref.member}`;
      vars[name] = { kind: 'address', machine: ref.member, which: ref.via };
      return placeholder(name);
    });
    step({
      name: `mesh-${member.name}`,
      machine: member.name,
      purpose: `WireGuard on ${member.name} (${member.address})`,
      script: renderMeshScript(member.name, model.wireguard.interfaceName),
      files,
      vars,
      // The host step opens the WireGuard port (the baseline host firewall opens SSH only).
      after: [`host-${member.name}`],
      output: 'none',
      timeoutSeconds: 300,
    });
  }

  // Kubernetes: the initialising server first, other servers one at a time (etcd adds one
  // member at a time), agents in parallel once their registration server runs.
  const k = model.kubernetes;
  const paths = PATHS[k.distribution];
  const init = clusterInitNode(model, previous.initServer, previous.servers);
  const serverRegistration = registrationNode(model, 'server', previous.initServer, previous.servers);
  const agentRegistration = registrationNode(model, 'agent', previous.initServer, previous.servers);
  const masters = masterNodes(model);
  const apiNode = masters.find((n) => n.name === init?.name) ?? masters[0]!;
  const tlsSan = new Set<string>(k.tlsSan);
  const sanVars: Record<string, ValueSource> = {};
  if (apiLoadBalancer) {
    tlsSan.add(placeholder('load-balancer'));
    sanVars['load-balancer'] = { kind: 'load-balancer' };
  }
  if (apiDomain) tlsSan.add(apiDomain);
  for (const m of masters) {
    tlsSan.add(address.get(m.name)!);
    if (m.publicAddress) {
      tlsSan.add(placeholder(`addr-public-${m.name}`));
      sanVars[`addr-public-${m.name}`] = { kind: 'address', machine: m.name, which: 'public' };
    }
  }
  const servers = model.nodes.filter(isServer);
  const ordered = [...servers.filter((n) => n.name === serverRegistration.name), ...servers.filter((n) => n.name !== serverRegistration.name), ...model.nodes.filter((n) => !isServer(n))];
  let previousServerStep: string | undefined;
  for (const node of ordered) {
    const server = isServer(node);
    const registration = server ? serverRegistration : agentRegistration;
    const initialising = init?.name === node.name;
    const vars: Record<string, ValueSource> = {};
    if (node.publicAddress) vars[`addr-public-${node.name}`] = { kind: 'address', machine: node.name, which: 'public' };
    if (server && isMaster(node)) Object.assign(vars, sanVars);
    const after = [`mesh-${node.name}`, `mesh-${registration.name}`];
    if (!initialising && registration.name !== node.name) after.push(`kubernetes-${registration.name}`);
    if (server && previousServerStep && previousServerStep !== `kubernetes-${node.name}`) after.push(previousServerStep);
    step({
      name: `kubernetes-${node.name}`,
      machine: node.name,
      purpose: `${k.distribution} ${server ? 'server' : 'agent'} on ${node.name}${initialising ? ' (initialises the cluster)' : ''}`,
      script: renderKubernetesInstallScript(model, node),
      files: kubernetesPayload({
        model,
        node,
        wireguardAddress: address.get(node.name)!,
        serverUrl: initialising ? undefined : `https://${address.get(registration.name)}:${paths.registrationPort}`,
        clusterInit: initialising,
        tokens,
        externalAddress: node.publicAddress ? placeholder(`addr-public-${node.name}`) : undefined,
        tlsSan: [...tlsSan],
      }),
      vars,
      after: [...new Set(after)],
      output: 'none',
      timeoutSeconds: 1800,
    });
    if (server) previousServerStep = `kubernetes-${node.name}`;
  }

  step({
    name: 'kubeconfig',
    machine: apiNode.name,
    purpose: `fetch the admin kubeconfig from ${apiNode.name}`,
    script: renderKubeconfigScript(model, placeholder('api-host')),
    files: [],
    vars: { 'api-host': { kind: 'api-host' } },
    after: [`kubernetes-${apiNode.name}`],
    output: 'secret',
    timeoutSeconds: 120,
  });
  step({
    name: 'cluster-ready',
    machine: apiNode.name,
    purpose: `wait until all ${model.nodes.length} nodes are Ready`,
    script: renderClusterReadyScript(model, model.nodes.map((n) => n.name), 900),
    files: [],
    vars: {},
    after: model.nodes.map((n) => `kubernetes-${n.name}`),
    output: 'text',
    timeoutSeconds: 1000,
  });

  if (salt) {
    for (const s of salt.steps) step(s);
  }
  if (model.argocd) {
    for (const s of planArgoCd(model, apiNode.name)) step(s);
  }
  for (const s of planUserManifests(model, apiNode.name, options.manifests ?? [])) step(s);

  if (previous.recovered) warnings.push(recoveredWarning(model.name, previous.recovered));
  if (!apiLoadBalancer && !apiDomain && !apiNode.publicAddress) {
    warnings.push(`the API node ${apiNode.name} has no public address and there is no load balancer: the kubeconfig points at its WireGuard address, reachable only from inside the mesh`);
  }

  return {
    model,
    mesh,
    firewall,
    machines,
    steps,
    deployKey,
    tokens,
    initServer: init?.name,
    servers: servers.map((n) => n.name),
    apiNode: apiNode.name,
    apiLoadBalancer,
    apiDomain,
    salt,
    recovered: previous.recovered,
    warnings,
  };
}
