// The desired resource graph of a cluster: the plan (src/cluster/plan.ts) laid out as
// engine resources. Per enabled cloud: provider configuration, network, SSH key, firewall,
// the machines; the API load balancer when there is more than one master; DNS records
// under network.dns.domain; the records that keep generated keys and addresses stable; and
// one remote command per step, ordered by `after` and by the addresses it uses.
import { DesiredGraph, type InputValue, type OutputRef, type ResourceHandle } from '../engine/index.ts';
import { ClusterPlanError } from './errors.ts';
import type { ClusterModel } from './model.ts';
import { planCluster, type ClusterPlan, type PreviousCluster, type StepConnection, type ValueSource } from './plan.ts';
import { aws, route53 } from './clouds/aws.ts';
import { digitalocean, digitaloceanDns } from './clouds/digitalocean.ts';
import { linode, linodeDns } from './clouds/linode.ts';
import { hetzner } from './clouds/hetzner.ts';
import { azure, azureDns } from './clouds/azure.ts';
import { gcp, cloudDns } from './clouds/gcp.ts';
import {
  baseTags,
  type CloudContext,
  type CloudMapping,
  type DnsMapping,
  type FirewallGroup,
  type LoadBalancerHandles,
  type MachineHandles,
  type NetworkHandles,
  type ResourceDeclarer,
} from './clouds/types.ts';
import { firewallGroupOf, machineSource } from './clouds/groups.ts';
import { API_READY_TYPE, CLUSTER_RECORD_TYPE, COMMAND_TYPE, HOST_KEY_TYPE, MACHINE_RECORD_TYPE } from './remote/package.ts';
import { dnsCloud, isMaster } from './model.ts';
import type { UserManifest } from './bootstrap/user-manifests.ts';

export const CLOUDS: Readonly<Record<string, CloudMapping>> = { aws, digitalocean, linode, hetzner, azure, gcp };
export const DNS: Readonly<Record<string, DnsMapping>> = { route53, digitalocean: digitaloceanDns, linode: linodeDns, azure: azureDns, gcp: cloudDns };

export interface ClusterGraph {
  graph: DesiredGraph;
  plan: ClusterPlan;
  /** Everything the plan warns about (firewall openings, load balancer reach …). */
  warnings: string[];
}

export interface GraphOptions {
  /**
   * False plans the infrastructure only (networks, firewalls, keys, machines, load balancer,
   * DNS) without the remote steps that install and join Kubernetes: for cloud emulators, or
   * to bootstrap later with a deploy that leaves it on.
   */
  bootstrap?: boolean;
  /** Manifests to apply once the cluster is Ready (ignored without bootstrap). */
  manifests?: readonly UserManifest[];
}

/**
 * The graph seen from one place in the config: every resource declared through it carries
 * that config path as its `sourcePosition` (unless the mapping names a narrower one), so
 * that pre-flight problems of every cloud point at FILE:LINE:COL.
 */
export function declaredAt(graph: DesiredGraph, path: string): ResourceDeclarer {
  return { resource: (type, name, inputs, options = {}) => graph.resource(type, name, inputs, { ...options, sourcePosition: options.sourcePosition ?? path }) };
}

export function buildClusterGraph(model: ClusterModel, previous?: PreviousCluster, options: GraphOptions = {}): ClusterGraph {
  const plan = planCluster(model, previous, { manifests: options.bootstrap === false ? [] : options.manifests });
  const warnings = [...plan.warnings];
  const graph = new DesiredGraph(model.stack);
  const tags = baseTags(model);
  const clouds = model.clouds ?? {};

  recordGenerated(graph, plan);

  // Clouds, networks, keys, machines.
  const used = [...new Set(plan.machines.map((m) => m.provider))];
  const contexts = new Map<string, { ctx: CloudContext; mapping: CloudMapping; net: NetworkHandles; pre: Map<string, ResourceHandle> }>();
  const handles = new Map<string, MachineHandles>();
  const providers = new Map<string, ResourceHandle>();
  const providerFor = (cloud: string): ResourceHandle => {
    if (!providers.has(cloud)) {
      const mapping = CLOUDS[cloud];
      const settings = clouds[cloud];
      const credentials = settings?.credentials ?? {};
      const config: Record<string, InputValue> = { ...credentials };
      if (settings) config['region'] = settings.region;
      // Route 53 is global; an AWS provider made only for DNS still needs a region to sign requests.
      else if (cloud === 'aws') config['region'] = 'us-east-1';
      providers.set(cloud, graph.provider(cloud === 'hetzner' ? 'hcloud' : cloud, 'default', config, { secretInputs: mapping ? mapping.credentialKeys.filter((k) => k in credentials) : [], sourcePosition: settings ? `providers.${cloud}` : 'network.dns' }));
    }
    return providers.get(cloud)!;
  };
  for (const cloud of used) {
    const mapping = CLOUDS[cloud];
    if (!mapping) throw new ClusterPlanError(`provider '${cloud}' is not supported yet`, { hint: `Use one of: ${Object.keys(CLOUDS).join(', ')}.` });
    const settings = clouds[cloud];
    if (!settings) throw new ClusterPlanError(`machines use provider '${cloud}', but providers.${cloud} is not configured`);
    const ctx: CloudContext = { graph: declaredAt(graph, `providers.${cloud}`), model, cloud, settings, provider: providerFor(cloud), tags, deployPublicKey: plan.deployKey.publicKey, cache: new Map() };
    const at = (path: string): CloudContext => ({ ...ctx, graph: declaredAt(graph, path) });
    const net = mapping.network(at(`providers.${cloud}.vpc`));
    const key = mapping.sshKey(at('security.ssh'), plan.deployKey.publicKey);
    const pre = mapping.preFirewalls(at('network.firewall'), net);
    for (const m of plan.machines.filter((x) => x.provider === cloud)) handles.set(m.name, mapping.machine(at(machineSource(m)), net, m, key, pre));
    contexts.set(cloud, { ctx, mapping, net, pre });
  }

  // The API load balancer: in front of the masters of its cloud.
  let lb: LoadBalancerHandles | undefined;
  const lbCloud = model.loadBalancer?.provider ?? model.nodes.find(isMaster)?.provider;
  if (plan.apiLoadBalancer && lbCloud) {
    const c = contexts.get(lbCloud);
    const masters = model.nodes.filter((n) => isMaster(n));
    const targets = masters.filter((n) => n.provider === lbCloud).map((n) => handles.get(n.name)!);
    if (!c || targets.length === 0) {
      throw new ClusterPlanError(`the API load balancer is on ${lbCloud}, where no master runs`, { hint: 'Set load-balancer provider to a cloud that has master nodes.' });
    }
    if (targets.length < masters.length) {
      warnings.push(`the API load balancer on ${lbCloud} reaches ${targets.length} of ${masters.length} masters (a load balancer cannot target machines on other clouds); the others are still reachable by their own addresses`);
    }
    lb = c.mapping.loadBalancer({ ...c.ctx, graph: declaredAt(graph, 'load-balancer') }, c.net, model.loadBalancer?.name ?? `${model.name}-api`, targets, [6443]);
  }

  // Firewall rules, now that every address can be referenced.
  const bastion = model.bastion;
  /** `<cloud>/<group>` → rule id → the cloud objects carrying it. */
  const ruleObjects = new Map<string, Map<string, ResourceHandle[]>>();
  for (const [cloud, { ctx, mapping, net, pre }] of contexts) {
    const region = ctx.settings.region;
    const local = (name: string) => {
      const m = plan.machines.find((x) => x.name === name)!;
      return m.provider === cloud && m.region === region;
    };
    const remoteMesh = plan.mesh.members.filter((m) => m.publicAddress && !local(m.name)).map((m) => ({ machine: m.name, address: handles.get(m.name)!.publicAddress }));
    const bastionAddress = bastion ? (local(bastion.name) ? handles.get(bastion.name)!.privateAddress : handles.get(bastion.name)!.publicAddress) : undefined;
    const groups = new Map<string, FirewallGroup>();
    for (const m of plan.machines.filter((x) => x.provider === cloud)) {
      const name = firewallGroupOf(m);
      if (!groups.has(name)) groups.set(name, { name, machines: [], rules: m.firewallRules });
      groups.get(name)!.machines.push(handles.get(m.name)!);
    }
    const made = mapping.firewallRules({ ...ctx, graph: declaredAt(graph, 'network.firewall') }, net, [...groups.values()], { remoteMesh, localMesh: plan.mesh.members.some((m) => local(m.name)), bastion: bastionAddress }, pre, cloud === lbCloud ? lb : undefined);
    for (const [group, byRule] of made) ruleObjects.set(`${cloud}/${group}`, byRule);
  }

  // DNS records under network.dns.domain.
  const dns = model.network.dns;
  if (dns) {
    const mapping = DNS[dns.provider]!;
    const provider = providerFor(dnsCloud(dns.provider));
    const records = declaredAt(graph, 'network.dns');
    const api = `api.${dns.domain}`;
    if (lb) mapping.record(records, provider, dns.domain, api, lb.addressKind === 'name' ? 'CNAME' : 'A', [lb.address], 'dns-api');
    else {
      // No load balancer: the API name is a record set of the masters' addresses.
      const addrs = model.nodes.filter((n) => isMaster(n) && n.publicAddress).map((n) => handles.get(n.name)!.publicAddress);
      if (addrs.length > 0) mapping.record(records, provider, dns.domain, api, 'A', addrs, 'dns-api');
    }
    for (const m of plan.machines) {
      if (m.node && !m.node.publicAddress) continue;
      mapping.record(records, provider, dns.domain, `${m.name}.${dns.domain}`, 'A', [handles.get(m.name)!.publicAddress], `dns-${m.name}`);
    }
  }

  if (options.bootstrap === false) return { graph, plan, warnings };

  // Remote steps.
  const value = (source: ValueSource): InputValue => {
    switch (source.kind) {
      case 'address': {
        const h = handles.get(source.machine)!;
        return source.which === 'public' ? h.publicAddress : h.privateAddress;
      }
      case 'load-balancer':
        return lb!.address;
      case 'api-host':
        if (plan.apiDomain) return plan.apiDomain;
        if (lb) return lb.address;
        return model.nodes.find((n) => n.name === plan.apiNode)!.publicAddress ? handles.get(plan.apiNode)!.publicAddress : plan.mesh.members.find((m) => m.name === plan.apiNode)!.address;
    }
  };
  const connection = (c: StepConnection): InputValue => ({
    host: value(c.host),
    port: c.port,
    user: c.user,
    hostKey: c.hostKey,
    ...(c.formerHostKey ? { formerHostKey: c.formerHostKey } : {}),
    ...(c.via ? { via: { machine: c.via.machine, host: value(c.via.host), port: c.via.port, user: c.via.user, hostKey: c.via.hostKey } } : {}),
  });
  // A step waits for the cloud firewall rules that let the deploy in on each SSH hop, so a
  // changed operator address is allowed before the step connects from it.
  const machineByName = new Map(plan.machines.map((m) => [m.name, m]));
  const entrance = (name: string): ResourceHandle[] => {
    const m = machineByName.get(name)!;
    const rule = m.kind === 'bastion' ? 'bastion-ssh' : 'ssh';
    return ruleObjects.get(`${m.provider}/${firewallGroupOf(m)}`)?.get(rule) ?? [];
  };
  const steps = new Map<string, ResourceHandle>();
  for (const step of plan.steps) {
    const dependsOn = step.after.map((name) => {
      const h = steps.get(name);
      if (!h) throw new Error(`step ${step.name} comes after ${name}, which is not planned before it`);
      return h;
    });
    const handle = graph.resource(
      step.kind === 'host-key' ? HOST_KEY_TYPE : COMMAND_TYPE,
      step.name,
      {
        machine: step.machine,
        // A replaced machine gets its own host key again (sloth:remote:HostKey replaces on it).
        ...(step.kind === 'host-key' ? { machineId: handles.get(step.machine)!.id } : {}),
        purpose: step.purpose,
        connection: connection(step.connection),
        privateKey: plan.deployKey.privateKey,
        script: step.script,
        files: step.files.map((f) => ({ path: f.path, mode: f.mode, content: f.content })),
        vars: Object.fromEntries(Object.entries(step.vars).map(([k, v]) => [k, value(v)])),
        output: step.output,
        timeoutSeconds: step.timeoutSeconds,
      },
      {
        dependsOn: [...new Set([handles.get(step.machine)!.resource, ...entrance(step.machine), ...(step.connection.via ? entrance(step.connection.via.machine) : []), ...dependsOn])],
        secretInputs: ['privateKey', 'files'],
        additionalSecretOutputs: step.output === 'secret' ? ['stdout'] : undefined,
        customTimeouts: { create: step.timeoutSeconds + 120, update: step.timeoutSeconds + 120 },
      },
    );
    steps.set(step.name, handle);
  }
  // Readiness as the user sees it: the API answers through the address in the kubeconfig.
  const kubeconfig = steps.get('kubeconfig')!;
  graph.resource(
    API_READY_TYPE,
    'api-ready',
    { kubeconfig: kubeconfig.output('stdout'), timeoutSeconds: 900 },
    { dependsOn: [kubeconfig, ...(lb ? [lb.resource] : [])], secretInputs: ['kubeconfig'] },
  );
  return { graph, plan, warnings };
}

/** Records of the generated material, read back by `previousFromDeployment` on the next plan. */
function recordGenerated(graph: DesiredGraph, plan: ClusterPlan): void {
  graph.resource(
    CLUSTER_RECORD_TYPE,
    plan.model.name,
    {
      deployPublicKey: plan.deployKey.publicKey,
      deployPrivateKey: plan.deployKey.privateKey,
      serverToken: plan.tokens.server,
      agentToken: plan.tokens.agent,
      initServer: plan.initServer ?? null,
      servers: plan.servers,
      ...(plan.salt
        ? {
            saltMasterPublicKey: plan.salt.masterKeys.publicKey,
            saltMasterPrivateKey: plan.salt.masterKeys.privateKey,
            saltApiPassword: plan.salt.apiPassword,
            saltApiUrl: plan.salt.apiUrl,
            saltApiUsername: plan.salt.apiUsername,
            saltMaster: plan.salt.master,
          }
        : {}),
      ...(plan.recovered ? { recovered: plan.recovered } : {}),
    },
    { secretInputs: ['deployPrivateKey', 'serverToken', 'agentToken', 'saltMasterPrivateKey', 'saltApiPassword'] },
  );
  for (const m of plan.machines) {
    const member = plan.mesh.members.find((x) => x.name === m.name)!;
    const salt = plan.salt?.minionKeys[m.name];
    graph.resource(
      MACHINE_RECORD_TYPE,
      m.name,
      {
        kind: m.kind,
        provider: m.provider,
        region: m.region,
        roles: m.node ? [...m.node.roles] : [],
        meshAddress: member.address,
        wireguardPublicKey: member.keys.publicKey,
        wireguardPrivateKey: member.keys.privateKey,
        hostPublicKey: m.hostKey.publicKey,
        hostPrivateKey: m.hostKey.privateKey,
        ownHostPublicKey: m.ownHostKey.publicKey,
        ownHostPrivateKey: m.ownHostKey.privateKey,
        ...(salt ? { saltPublicKey: salt.publicKey, saltPrivateKey: salt.privateKey } : {}),
      },
      { secretInputs: ['wireguardPrivateKey', 'hostPrivateKey', 'ownHostPrivateKey', 'saltPrivateKey'] },
    );
  }
}

export type { OutputRef };
