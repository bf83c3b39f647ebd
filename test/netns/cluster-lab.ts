// A deployed cluster made real in the network-namespace lab: the stack is deployed on the
// simulated cloud, then each of its machines becomes a namespace serving, on the addresses
// the stack is pointed at, the machine's own host key over the real sshd and a wireguard-go
// `wg0` (node-host.ts); the laptop is one more namespace where the CLI runs. Used by the VPN
// test and the vpn/salt benchmark.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetnsLab, type LabMachine } from './harness.ts';
import { startNodeHost, type NodeHost } from './node-host.ts';
import type { PayloadFile } from './salt-host.ts';
import { launcher, type CliResult } from '../helpers/cli.ts';
import { PASSPHRASE, type HistoryEnv } from '../../src/cli/history/testing.ts';
import { CLUSTER_RECORD_TYPE, COMMAND_TYPE, MACHINE_RECORD_TYPE } from '../../src/cluster/index.ts';
import { openStateStore, reveal, Secret, setStackOutputs, stackOutputs } from '../../src/state/index.ts';
import type { PropertyMap, ResourceState } from '../../src/state/index.ts';

export const nameOf = (r: ResourceState): string => r.urn.slice(r.urn.lastIndexOf('::') + 2);
export const text = (m: PropertyMap | undefined, k: string): string => String(reveal(m?.[k] ?? ''));

/** A cluster on one DigitalOcean private network behind a bastion, Salt's master on masters-1. */
export function labConfig(stack: string, workers: number): string {
  return `
(cluster
  (metadata (name "${stack}") (environment "test"))
  (providers (digitalocean (enabled true) (region "nyc3") (token "dop_v1_vpn_lab_token_0000000000000000")))
  (network (mode "wireguard") (wireguard (enabled true) (create true) (mesh-networking true)))
  (security (bastion (enabled true) (provider "digitalocean") (region "nyc3") (size "s-1vcpu-1gb") (allowed-cidrs "203.0.113.0/24")))
  (node-pools
    (masters (name "masters") (provider "digitalocean") (count 1) (roles master etcd) (size "s-2vcpu-4gb"))
    (workers (name "workers") (provider "digitalocean") (count ${workers}) (roles worker) (size "s-2vcpu-4gb")))
  (kubernetes (distribution "k3s"))
  (addons (salt (enabled true) (master-node "masters-1"))))
`;
}

/** The CLI in a namespace (the laptop's), as a process. */
export function runIn(ns: string, e: HistoryEnv, argv: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, launcher, ...argv], { env: e.env as NodeJS.ProcessEnv, cwd: e.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export type Cli = (argv: string[]) => Promise<CliResult>;

/** Runs the command until `ok` says its result is the awaited one, or `seconds` have passed; the last result. */
export async function until<R extends CliResult>(cli: (argv: string[]) => Promise<R>, argv: string[], ok: (r: R) => boolean, seconds = 60): Promise<R> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const r = await cli(argv);
    if (ok(r) || Date.now() > end) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** The minions that answered a `salt … --json` command. */
export const answered = (r: CliResult): string[] => (r.code === 0 ? Object.keys((JSON.parse(r.stdout) as { results: object }).results).sort() : []);

/** Points every step of every machine at its lab namespace, and the `nodes` output at the lab's addresses. */
async function pointStackAtLab(e: HistoryEnv, stack: string, lab: NetnsLab): Promise<void> {
  const store = await openStateStore({ env: e.env, homedir: e.dir, cwd: e.dir });
  try {
    const opened = await store.openStack(stack, { passphrase: async () => PASSPHRASE });
    const update = await opened.beginUpdate('update', 'test: the machines are lab namespaces');
    const live = opened.deployment.resources.filter((r) => !r.delete);
    for (const r of live.filter((x) => x.type === COMMAND_TYPE)) {
      const machine = lab.machines.get(text(r.inputs, 'machine'))!;
      const c = reveal(r.inputs!.connection) as PropertyMap;
      const via = c.via ? (reveal(c.via) as PropertyMap) : undefined;
      const connection: PropertyMap = { ...c, host: via ? machine.addresses.private! : machine.addresses.public!, port: 22, user: 'root' };
      if (via) connection.via = { ...via, host: lab.machines.get(text(via, 'machine'))!.addresses.public!, port: 22, user: 'root' };
      await update.record([{ op: 'put', resource: { ...r, inputs: { ...r.inputs, connection } } }]);
    }
    const nodes = reveal(stackOutputs(opened.deployment, stack).nodes!) as Record<string, PropertyMap>;
    for (const [name, n] of Object.entries(nodes)) nodes[name] = { ...n, publicAddress: lab.machines.get(name)!.addresses.public!, privateAddress: lab.machines.get(name)!.addresses.private! };
    await update.record([setStackOutputs(update.deployment, stack, { nodes: new Secret(nodes) })]);
    await update.finish({ result: 'succeeded', resourceChanges: {} });
  } finally {
    store.close();
  }
}

/** The payload files a step delivers, as the stack records them. */
export function stepFiles(live: ResourceState[], step: string): PayloadFile[] {
  const r = live.find((x) => x.type === COMMAND_TYPE && nameOf(x) === step)!;
  return (reveal(r.inputs!.files!) as PropertyMap[]).map((f) => ({ path: text(f, 'path'), mode: text(f, 'mode'), content: text(f, 'content') }));
}

/** Changes the stack's `salt_master` output (the certificate the salt-master step reports, a password); the password it held. */
export async function recordSaltMaster(e: HistoryEnv, stack: string, change: PropertyMap): Promise<string> {
  const store = await openStateStore({ env: e.env, homedir: e.dir, cwd: e.dir });
  try {
    const opened = await store.openStack(stack, { passphrase: async () => PASSPHRASE });
    const salt = reveal(stackOutputs(opened.deployment, stack).salt_master!) as PropertyMap;
    const update = await opened.beginUpdate('update', 'test: the salt-master step as it ran in the lab');
    await update.record([setStackOutputs(update.deployment, stack, { salt_master: new Secret({ ...salt, ...change }) })]);
    await update.finish({ result: 'succeeded', resourceChanges: {} });
    return String(salt.password);
  } finally {
    store.close();
  }
}

export interface ClusterLab {
  lab: NetnsLab;
  laptop: LabMachine;
  /** The stack's live resources after the deploy. */
  live: ResourceState[];
  /** Machine name → mesh address. */
  mesh: Record<string, string>;
  stop(): void;
}

/** Deploys `config` as `stack` on the simulated cloud (registered by the caller), then makes its machines lab namespaces. */
export async function startClusterLab(e: HistoryEnv, stack: string, config: string): Promise<ClusterLab> {
  writeFileSync(join(e.dir, 'cluster.lisp'), config);
  const created = await e.run(['stacks', 'create', stack]);
  if (created.code !== 0) throw new Error(created.stderr);
  const deployed = await e.run(['deploy', stack, '--config', 'cluster.lisp', '--yes']);
  if (deployed.code !== 0) throw new Error(deployed.stderr + deployed.stdout.slice(-2000));

  const rec = await e.records(stack);
  const live = rec.stack.deployment.resources.filter((r) => !r.delete);
  const deployKey = text(live.find((r) => r.type === CLUSTER_RECORD_TYPE)!.inputs, 'deployPublicKey');
  const machines = live.filter((r) => r.type === MACHINE_RECORD_TYPE);
  const mesh = Object.fromEntries(machines.map((r) => [nameOf(r), text(r.inputs, 'meshAddress')]));

  const lab = new NetnsLab();
  const hosts: NodeHost[] = [];
  const stop = (): void => {
    for (const h of hosts) h.stop();
    lab.cleanupSync();
  };
  try {
    lab.addNetwork('bpub');
    lab.addNetwork('bpriv');
    let n = 10;
    for (const r of machines.sort((a, b) => (nameOf(a) === 'bastion' ? -1 : nameOf(b) === 'bastion' ? 1 : 0))) {
      const i = n++;
      const m = lab.addMachine(nameOf(r), { public: { bridge: 'bpub', cidr: `203.0.113.${i}/24` }, private: { bridge: 'bpriv', cidr: `10.100.0.${i}/24` } });
      if (m.name === 'bastion') lab.enableForwarding(m);
      hosts.push(await startNodeHost(m, { hostKey: { publicKey: text(r.inputs, 'ownHostPublicKey'), privateKey: text(r.inputs, 'ownHostPrivateKey') }, authorizedKey: deployKey, forwarding: m.name === 'bastion' }));
    }
    const laptop = lab.addMachine('laptop', { public: { bridge: 'bpub', cidr: '203.0.113.100/24' } });
    await pointStackAtLab(e, stack, lab);
    return { lab, laptop, live, mesh, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

/** Loads a wg-quick file into the laptop's wireguard-go as wg-quick would (address, peers, a route per AllowedIPs). */
export async function bringUp(lab: NetnsLab, laptop: LabMachine, clientConfig: string): Promise<void> {
  await lab.startWireGuard(laptop);
  lab.applyWgQuick(laptop, clientConfig);
  for (const allowed of new Set([...clientConfig.matchAll(/^AllowedIPs = (.+)$/gm)].flatMap((m) => m[1]!.split(', ')))) lab.run(['ip', 'route', 'replace', allowed, 'dev', laptop.wgInterface], { ns: laptop.ns });
}
