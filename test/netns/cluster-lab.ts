// A deployed cluster made real in the network-namespace lab. The stack is deployed on the
// simulated cloud (registered by the caller); then every machine it recorded becomes a
// namespace that looks, over SSH, like the deployed machine: the real sshd with the machine's
// own host key and the stack's deploy key authorized, logging in as root, and, in its own mount
// namespace, wireguard-go as `wg0` loaded with exactly the WireGuard config the stack recorded
// for it (every peer's endpoint its lab address), a writable /etc/wireguard and a `systemctl`
// stand-in that accepts `enable`, so the mesh step (vpn join re-runs it) works with the real
// wg-quick strip, wg syncconf, ip and nft. The bastion listens on the public network, the nodes
// only on the private one. The CLI runs in one more namespace on the public network, the laptop,
// so every node is reached through the bastion; the stack is pointed at all of it (connections,
// the `nodes` output's addresses). Given a Kubernetes API (test/helpers/kube.ts, on this host's
// loopback), it is made reachable inside the laptop at the same address and the stack's
// kubeconfig names it. Salt runs on the machines with salt-host.ts.
// Used by day2.test.ts, vpn.test.ts, bench/health.ts and bench/vpn-salt.ts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsLab, type LabMachine } from './harness.ts';
import type { PayloadFile } from './salt-host.ts';
import type { KubeApi } from '../helpers/kube.ts';
import { nameOf, pointStackAt, recorded, text, type Recorded } from '../helpers/deployed-stack.ts';
import { launcher, type CliResult } from '../helpers/cli.ts';
import { PASSPHRASE, type HistoryEnv } from '../../src/cli/history/testing.ts';
import { COMMAND_TYPE } from '../../src/cluster/index.ts';
import { startSshd, type TestSshd } from '../../src/cluster/testing/sshd.ts';
import { openStateStore, reveal, Secret, setStackOutputs, stackOutputs } from '../../src/state/index.ts';
import type { PropertyMap, ResourceState } from '../../src/state/index.ts';

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
  /** Where the CLI runs: on the public network only. */
  laptop: LabMachine;
  /** What the stack recorded (keys, machines, mesh configs). */
  rec: Recorded;
  /** The stack's live resources after the deploy. */
  live: ResourceState[];
  /** Machine name → mesh address. */
  mesh: Record<string, string>;
  /** Machine name → its sshd (bastion first, then the nodes in name order). */
  sshds: Map<string, TestSshd>;
  address(machine: string): { public: string; private: string };
  /** The CLI as installed (or `entry`) as a process inside the laptop's namespace. */
  cli(args: string[], env?: Record<string, string>, entry?: string): Promise<CliResult>;
  /** Stops the Kubernetes API's forwarding into the laptop. */
  cutApi(): void;
  stop(): void;
}

export interface ClusterLabOptions {
  /** A Kubernetes API the stack's kubeconfig is pointed at, reachable from the laptop. */
  api?: KubeApi;
  /** Files that exist only on a machine (machine → absolute path → content), e.g. a server's kubeconfig. */
  files?: Record<string, Record<string, { content: string }>>;
}

/** Deploys `config` as `stack` on the simulated cloud, then makes its machines lab namespaces. */
export async function startClusterLab(e: HistoryEnv, stack: string, config: string, opts: ClusterLabOptions = {}): Promise<ClusterLab> {
  writeFileSync(join(e.dir, 'cluster.lisp'), config);
  const created = await e.run(['stacks', 'create', stack]);
  if (created.code !== 0) throw new Error(created.stderr);
  const deployed = await e.run(['deploy', stack, '--config', 'cluster.lisp', '--yes']);
  if (deployed.code !== 0) throw new Error(deployed.stderr + deployed.stdout.slice(-2000));
  const rec = await recorded(e, stack, PASSPHRASE);
  const live = (await e.records(stack)).stack.deployment.resources.filter((r) => !r.delete);
  const mesh = Object.fromEntries(Object.entries(rec.machines).map(([name, m]) => [name, m.meshAddress]));

  const names = Object.keys(rec.machines).sort((a, b) => (rec.machines[a]!.kind === 'bastion' ? -1 : rec.machines[b]!.kind === 'bastion' ? 1 : a.localeCompare(b, 'en', { numeric: true })));
  if (names.length > 200) throw new Error('the lab numbers at most 200 machines');
  const address = (name: string) => {
    const i = names.indexOf(name);
    return { public: `203.0.113.${10 + i}`, private: `10.10.0.${10 + i}` };
  };
  const scratch = mkdtempSync(join(tmpdir(), 'sloth-cluster-lab-'));
  const lab = new NetnsLab();
  const sshds = new Map<string, TestSshd>();
  const stop = () => {
    for (const s of sshds.values()) s.stop();
    lab.cleanupSync();
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    lab.addNetwork('bpub');
    lab.addNetwork('bprv');
    const laptop = lab.addMachine('laptop', { public: { bridge: 'bpub', cidr: '203.0.113.2/24' } });
    // The systemctl stand-in: units are not managed in the lab.
    const sbin = join(scratch, 'sbin');
    mkdirSync(sbin);
    writeFileSync(join(sbin, 'systemctl'), '#!/bin/sh\n# lab stand-in: units are not managed here\nexit 0\n', { mode: 0o755 });
    // Each machine's recorded WireGuard config, every peer's address placeholder filled by its lab address.
    const wgFile = (name: string) => {
      const conf = rec.mesh[name]!.config.replace(/\{\{sloth:addr-(public|private)-([a-z0-9-]+)\}\}/g, (_, via: 'public' | 'private', member: string) => address(member)[via]);
      const full = join(scratch, `${name}.conf`);
      writeFileSync(full, conf, { mode: 0o600 });
      const stripped = spawnSync('wg-quick', ['strip', full], { encoding: 'utf8' });
      if (stripped.status !== 0) throw new Error(`wg-quick strip: ${stripped.stderr}`);
      const file = join(scratch, `${name}.wg`);
      writeFileSync(file, stripped.stdout, { mode: 0o600 });
      return { file, address: /^Address = (.+)$/m.exec(conf)![1]! };
    };
    mkdirSync('/run/wireguard', { recursive: true });
    mkdirSync('/etc/wireguard', { recursive: true });
    await Promise.all(
      names.map(async (name) => {
        const a = address(name);
        const m = lab.addMachine(name, { public: { bridge: 'bpub', cidr: `${a.public}/24` }, private: { bridge: 'bprv', cidr: `${a.private}/24` } });
        const wg = wgFile(name);
        // The machine's own wg0 as the mesh step would leave it, in this machine's mount namespace
        // (a private /run/wireguard and /etc/wireguard), shared with its sshd's sessions.
        const setup = [
          'mount -t tmpfs -o mode=0755 tmpfs /run/wireguard',
          'mount -t tmpfs -o mode=0700 tmpfs /etc/wireguard',
          `mount --bind ${sbin} /usr/local/sbin`,
          'wireguard-go wg0',
          `wg setconf wg0 ${wg.file}`,
          `ip address add ${wg.address} dev wg0`,
          'ip link set wg0 mtu 1420 up',
        ].join(' && ');
        const bastion = rec.machines[name]!.kind === 'bastion';
        sshds.set(name, await startSshd(rec.deployKey.publicKey, { hostKey: rec.machines[name]!.ownHostKey, forwarding: bastion, netns: { name: m.ns, address: bastion ? a.public : a.private }, setup, files: opts.files?.[name] }));
      }),
    );
    let forward: { stop(): void } | undefined;
    if (opts.api) {
      const port = Number(new URL(opts.api.server).port);
      forward = await lab.forwardIntoMachine(laptop, port, port);
    }
    await pointStackAt(e, stack, PASSPHRASE, {
      kubeconfig: opts.api?.kubeconfigYaml(opts.api.admin, 'default'),
      machines: Object.fromEntries(names.map((name) => [name, { host: rec.machines[name]!.kind === 'bastion' ? address(name).public : address(name).private, port: 22, user: sshds.get(name)!.user }])),
      addresses: Object.fromEntries(names.map((name) => [name, address(name)])),
    });
    const cli = (args: string[], env: Record<string, string> = {}, entry = launcher) =>
      new Promise<CliResult>((resolve, reject) => {
        const child = spawn('ip', ['netns', 'exec', laptop.ns, process.execPath, entry, ...args], { env: { ...e.env, ...env } as NodeJS.ProcessEnv, cwd: e.dir, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      });
    // Traffic over the mesh until every pair answers a ping — an answer over WireGuard means both
    // ends have shaken hands (the persistent keepalive would, in time); a fixed number of pings
    // was not always enough on a loaded machine, nor, once in a CI run, 30 s for one pair. What
    // never answers in 90 tries (WireGuard's own time to keep retrying one handshake) is named.
    const silent = await Promise.all(
      names.map(
        (from) =>
          new Promise<string>((resolve) => {
            const targets = names.filter((to) => to !== from).map((to) => mesh[to]!);
            const script = 'for a in "$@"; do (for i in $(seq 90); do ping -c 1 -W 1 "$a" >/dev/null && exit 0; done; echo "$a") & done; wait';
            const child = spawn('ip', ['netns', 'exec', lab.machines.get(from)!.ns, 'sh', '-c', script, 'sh', ...targets], { stdio: ['ignore', 'pipe', 'ignore'] });
            let out = '';
            child.stdout.on('data', (d: Buffer) => (out += d.toString()));
            child.on('close', () => resolve(out.trim() ? `${from} → ${out.trim().split('\n').join(', ')}` : ''));
          }),
      ),
    );
    if (silent.some(Boolean)) throw new Error(`the lab's mesh: no answer over WireGuard from ${silent.filter(Boolean).join('; ')}`);
    return { lab, laptop, rec, live, mesh, sshds, address, cli, cutApi: () => forward?.stop(), stop };
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
