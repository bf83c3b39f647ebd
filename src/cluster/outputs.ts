// The cluster's entries in the root stack outputs (`kubeConfig`, `nodes`, `salt_master`,
// `argocd`, and the plain `master_ips`, `worker_ips`, `mesh_addresses`, `api_endpoint` a user
// greps for), read from an applied deployment: the kubeconfig and the Salt API certificate
// come from the steps that fetched them, the rest from the records and the machines.
// Everything that can carry a credential is returned as a Secret; addresses are not one.
import { Secret, reveal as revealValue, type Deployment, type PropertyMap, type PropertyValue, type ResourceState } from '../state/types.ts';
import { CLUSTER_RECORD_TYPE, COMMAND_TYPE, MACHINE_RECORD_TYPE } from './remote/package.ts';
import { recoveredAt } from './recovery.ts';

const reveal = (v: PropertyValue | undefined): PropertyValue | undefined => (v === undefined ? undefined : revealValue(v));
const nameOf = (r: ResourceState) => r.urn.slice(r.urn.lastIndexOf('::') + 2);

/** Output keys of the machine resources that hold addresses, by cloud mapping. */
const ADDRESS_KEYS: Record<string, { public: string; private: string }> = {
  'aws:ec2/instance:Instance': { public: 'publicIp', private: 'privateIp' },
  'digitalocean:index/droplet:Droplet': { public: 'ipv4Address', private: 'ipv4AddressPrivate' },
  'linode:index/instance:Instance': { public: 'ipAddress', private: 'privateIpAddress' },
  'hcloud:index/server:Server': { public: 'ipv4Address', private: 'privateIp' },
  'azure:compute/virtualMachine:VirtualMachine': { public: 'publicIp', private: 'privateIp' },
  'gcp:compute/instance:Instance': { public: 'publicIp', private: 'privateIp' },
};

export function clusterOutputs(deployment: Deployment, clusterName: string): PropertyMap {
  const live = deployment.resources.filter((r) => !r.delete);
  const out: PropertyMap = {};
  const step = (name: string) => live.find((r) => r.type === COMMAND_TYPE && nameOf(r) === name);

  const kubeconfig = reveal(step('kubeconfig')?.outputs?.['stdout']);
  if (typeof kubeconfig === 'string' && kubeconfig !== '') out['kubeConfig'] = new Secret(kubeconfig);

  const machines = new Map(live.filter((r) => ADDRESS_KEYS[r.type]).map((r) => [nameOf(r), r]));
  // A rebuilt stack does not know the host keys its machines serve (recovery.ts).
  const recovered = recoveredAt(deployment, clusterName) !== undefined;
  const nodes: PropertyMap = {};
  for (const record of live.filter((r) => r.type === MACHINE_RECORD_TYPE)) {
    const name = nameOf(record);
    const inputs = record.inputs ?? {};
    const machine = machines.get(name);
    const keys = machine ? ADDRESS_KEYS[machine.type]! : undefined;
    nodes[name] = {
      kind: reveal(inputs['kind']) ?? null,
      provider: reveal(inputs['provider']) ?? null,
      region: reveal(inputs['region']) ?? null,
      roles: reveal(inputs['roles']) ?? [],
      meshAddress: reveal(inputs['meshAddress']) ?? null,
      // The key the machine serves (its own, since its first step); a stack deployed before
      // own keys existed has only the user-data one.
      hostKey: recovered ? null : (reveal(inputs['ownHostPublicKey']) ?? reveal(inputs['hostPublicKey']) ?? null),
      publicAddress: (keys && reveal(machine!.outputs?.[keys.public])) ?? null,
      privateAddress: (keys && reveal(machine!.outputs?.[keys.private])) ?? null,
      joined: step(`kubernetes-${name}`) !== undefined,
    };
  }
  // Secret as the state layer stores it (addresses and host keys of every machine), so the
  // deploy's Outputs and --json show `[secret]` exactly as `stacks output` does.
  out['nodes'] = new Secret(nodes);
  Object.assign(out, addressOutputs(nodes));
  const apiHost = reveal((reveal(step('kubeconfig')?.inputs?.['vars']) as PropertyMap | undefined)?.['api-host']);
  if (typeof apiHost === 'string' && apiHost !== '') out['api_endpoint'] = `https://${apiHost.includes(':') ? `[${apiHost}]` : apiHost}:6443`;

  const cluster = live.find((r) => r.type === CLUSTER_RECORD_TYPE && nameOf(r) === clusterName)?.inputs;
  const apiUrl = reveal(cluster?.['saltApiUrl']);
  if (typeof apiUrl === 'string') {
    out['salt_master'] = new Secret({
      master: reveal(cluster?.['saltMaster']) ?? null,
      apiUrl,
      username: reveal(cluster?.['saltApiUsername']) ?? null,
      password: reveal(cluster?.['saltApiPassword']) ?? null,
      eauth: 'sharedsecret',
      tlsCertificate: reveal(step('salt-master')?.outputs?.['stdout']) ?? null,
    });
  }
  const argo = reveal(step('argocd')?.outputs?.['stdout']);
  if (typeof argo === 'string') out['argocd'] = new Secret({ username: 'admin', password: argo === '' ? null : argo });
  return out;
}

/**
 * The addresses users look up (`stacks output <stack> master_ips`): masters' and workers'
 * public addresses (the private one for a node without), in name order, and every
 * machine's WireGuard address. Not secret: they are on every cloud console.
 */
function addressOutputs(nodes: PropertyMap): PropertyMap {
  const rows = Object.entries(nodes as Record<string, { kind: unknown; roles: unknown; publicAddress: unknown; privateAddress: unknown; meshAddress: unknown }>).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  const roles = (n: { roles: unknown }) => (Array.isArray(n.roles) ? n.roles.map(String) : []);
  const address = (n: { publicAddress: unknown; privateAddress: unknown }) => (typeof n.publicAddress === 'string' ? n.publicAddress : typeof n.privateAddress === 'string' ? n.privateAddress : undefined);
  const ips = (keep: (r: string[]) => boolean) => rows.filter(([, n]) => n.kind === 'node' && keep(roles(n))).flatMap(([, n]) => address(n) ?? []);
  return {
    master_ips: ips((r) => r.includes('master')),
    worker_ips: ips((r) => !r.includes('master') && r.includes('worker')),
    mesh_addresses: Object.fromEntries(rows.filter(([, n]) => typeof n.meshAddress === 'string').map(([name, n]) => [name, n.meshAddress as string])),
  };
}
