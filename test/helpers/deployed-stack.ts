// A cluster deployed on the simulated cloud leads nowhere: its addresses are made up and its
// kubeconfig names no real API. These helpers point what the stack recorded at real test
// parts — the kubeconfig (the `kubeconfig` step's output and the root `kubeConfig` output) at
// a real kube-apiserver, and each machine's recorded SSH connection (and the bastion hop) at
// a real sshd that holds the machine's own host key — as one update of the stack, the way
// state surgery would. What the machines themselves serve is the test's business.
import { openStateStore, reveal, Secret, setStackOutputs, stackOutputs } from '../../src/state/index.ts';
import type { JournalRecord, PropertyMap, ResourceState } from '../../src/state/index.ts';
import { CLUSTER_RECORD_TYPE, COMMAND_TYPE, HOST_KEY_TYPE, MACHINE_RECORD_TYPE } from '../../src/cluster/remote/package.ts';
import type { SshKeyPair } from '../../src/cluster/bootstrap/ssh-keys.ts';

export interface StackEnv {
  env: Record<string, string | undefined>;
  dir: string;
}

export interface Endpoint {
  host: string;
  port: number;
  user: string;
}

export const nameOf = (r: ResourceState) => r.urn.slice(r.urn.lastIndexOf('::') + 2);
export const text = (m: PropertyMap | undefined, k: string): string => (m?.[k] === undefined ? '' : String(reveal(m[k]!)));

export interface Recorded {
  /** The deploy key (public, private). */
  deployKey: SshKeyPair;
  /** Each machine's own host key, WireGuard keys and mesh address. */
  machines: Record<string, { ownHostKey: SshKeyPair; userDataHostKey: SshKeyPair; wireguard: { publicKey: string; privateKey: string }; meshAddress: string; kind: string; roles: string[] }>;
  /** Each machine's recorded WireGuard config (the mesh step's payload, placeholders unfilled) and its placeholder values. */
  mesh: Record<string, { config: string; vars: Record<string, string> }>;
}

/** What the stack recorded that a test needs to stand in for its machines. */
export async function recorded(e: StackEnv, stack: string, passphrase: string): Promise<Recorded> {
  const store = await openStateStore({ env: e.env, homedir: e.dir, cwd: e.dir });
  try {
    const live = (await store.openStack(stack, { passphrase: async () => passphrase })).deployment.resources.filter((r) => !r.delete);
    const cluster = live.find((r) => r.type === CLUSTER_RECORD_TYPE)!.inputs;
    const out: Recorded = { deployKey: { publicKey: text(cluster, 'deployPublicKey'), privateKey: text(cluster, 'deployPrivateKey') }, machines: {}, mesh: {} };
    for (const r of live.filter((x) => x.type === MACHINE_RECORD_TYPE)) {
      const m = r.inputs;
      out.machines[nameOf(r)] = {
        ownHostKey: { publicKey: text(m, 'ownHostPublicKey'), privateKey: text(m, 'ownHostPrivateKey') },
        userDataHostKey: { publicKey: text(m, 'hostPublicKey'), privateKey: text(m, 'hostPrivateKey') },
        wireguard: { publicKey: text(m, 'wireguardPublicKey'), privateKey: text(m, 'wireguardPrivateKey') },
        meshAddress: text(m, 'meshAddress'),
        kind: text(m, 'kind'),
        roles: (reveal(m!['roles']!) as string[]).map(String),
      };
    }
    for (const r of live.filter((x) => x.type === COMMAND_TYPE && nameOf(x).startsWith('mesh-'))) {
      const files = reveal(r.inputs!['files']!) as PropertyMap[];
      const vars = reveal(r.inputs!['vars'] ?? {}) as PropertyMap;
      out.mesh[text(r.inputs, 'machine')] = { config: text(reveal(files[0]!) as PropertyMap, 'content'), vars: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(reveal(v))])) };
    }
    return out;
  } finally {
    store.close();
  }
}

/**
 * Points the stack at real parts: `kubeconfig` replaces the cluster's kubeconfig; `machines`
 * replaces the host, port and user of every recorded connection to a machine (its own steps',
 * and the bastion hop of others); `addresses` replaces the machines' addresses in the `nodes`
 * output (where `nodes list` and the VPN's endpoints read them).
 */
export async function pointStackAt(e: StackEnv, stack: string, passphrase: string, opts: { kubeconfig?: string; machines?: Record<string, Endpoint>; addresses?: Record<string, { public: string; private: string }> }): Promise<void> {
  const store = await openStateStore({ env: e.env, homedir: e.dir, cwd: e.dir });
  try {
    const opened = await store.openStack(stack, { passphrase: async () => passphrase });
    const update = await opened.beginUpdate('update', 'test: point the stack at real parts');
    const live = update.deployment.resources.filter((r) => !r.delete);
    const records: JournalRecord[] = [];
    const machines = opts.machines ?? {};
    for (const r of live.filter((x) => (x.type === COMMAND_TYPE || x.type === HOST_KEY_TYPE) && x.inputs)) {
      let inputs = r.inputs!;
      let outputs = r.outputs;
      const conn = reveal(inputs['connection']!) as PropertyMap;
      const target = machines[text(inputs, 'machine')];
      const via = conn['via'] ? (reveal(conn['via']) as PropertyMap) : undefined;
      const hop = via ? machines[text(via, 'machine')] : undefined;
      if (target || hop) {
        inputs = { ...inputs, connection: { ...conn, ...(target ?? {}), ...(via && hop ? { via: { ...via, ...hop } } : {}) } };
      }
      if (opts.kubeconfig && nameOf(r) === 'kubeconfig') outputs = { ...outputs, stdout: new Secret(opts.kubeconfig) };
      if (inputs !== r.inputs || outputs !== r.outputs) records.push({ op: 'put', resource: { ...r, inputs, outputs } });
    }
    // One change of the root outputs: each setStackOutputs starts from the deployment as it was.
    const outputs: PropertyMap = {};
    if (opts.kubeconfig) outputs['kubeConfig'] = new Secret(opts.kubeconfig);
    if (opts.addresses) {
      const nodes = reveal(stackOutputs(update.deployment, stack)['nodes']!) as Record<string, PropertyMap>;
      for (const [name, a] of Object.entries(opts.addresses)) if (nodes[name]) nodes[name] = { ...nodes[name], publicAddress: a.public, privateAddress: a.private };
      outputs['nodes'] = new Secret(nodes);
    }
    if (Object.keys(outputs).length > 0) records.push(setStackOutputs(update.deployment, stack, outputs));
    await update.record(records);
    await update.finish({ result: 'succeeded', resourceChanges: {} });
  } finally {
    store.close();
  }
}
