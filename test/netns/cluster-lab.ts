// A deployed cluster's machines as network namespaces: every machine the stack recorded becomes
// a namespace running a real sshd (its own host key, the stack's deploy key authorized) and
// wireguard-go configured with exactly the WireGuard config the stack recorded for it. The
// bastion listens on the public network, the nodes only on the private one; sloth-kubernetes
// runs in an operator namespace on the public network, so every node is reached through the
// bastion. The Kubernetes API (test/helpers/kube.ts, on this host's loopback) is made reachable
// inside the operator namespace at the same address, and the stack is pointed at all of it.
// Used by test/netns/day2.test.ts and bench/health.ts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsLab, type LabMachine } from './harness.ts';
import type { KubeApi } from '../helpers/kube.ts';
import { pointStackAt, type Recorded, type StackEnv } from '../helpers/deployed-stack.ts';
import type { CliResult } from '../helpers/cli.ts';
import { startSshd, type TestSshd } from '../../src/cluster/testing/sshd.ts';
import { SIM_CLI } from '../../src/cli/history/testing.ts';

export interface ClusterLab {
  lab: NetnsLab;
  operator: LabMachine;
  /** Machine name → its sshd (bastion first, then the nodes in name order). */
  sshds: Map<string, TestSshd>;
  address(machine: string): { public: string; private: string };
  /** The CLI as a process inside the operator namespace: with the simulated cloud registered, or (entry: launcher) as installed. */
  cli(args: string[], env?: Record<string, string>, entry?: string): Promise<CliResult>;
  /** Stops the API's forwarding into the operator namespace. */
  cutApi(): void;
  stop(): void;
}

export async function startClusterLab(e: StackEnv, stack: string, passphrase: string, rec: Recorded, api: KubeApi, opts: { files?: Record<string, Record<string, { content: string }>> } = {}): Promise<ClusterLab> {
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
    const operator = lab.addMachine('operator', { public: { bridge: 'bpub', cidr: '203.0.113.2/24' } });
    // Each machine's recorded WireGuard config, every peer's address placeholder filled by its lab address.
    const wgFile = (name: string) => {
      const text = rec.mesh[name]!.config.replace(/\{\{sloth:addr-(public|private)-([a-z0-9-]+)\}\}/g, (_, via: 'public' | 'private', member: string) => address(member)[via]);
      const full = join(scratch, `${name}.conf`);
      writeFileSync(full, text, { mode: 0o600 });
      const stripped = spawnSync('wg-quick', ['strip', full], { encoding: 'utf8' });
      if (stripped.status !== 0) throw new Error(`wg-quick strip: ${stripped.stderr}`);
      const file = join(scratch, `${name}.wg`);
      writeFileSync(file, stripped.stdout, { mode: 0o600 });
      return { file, address: /^Address = (.+)$/m.exec(text)![1]! };
    };
    await Promise.all(
      names.map(async (name) => {
        const a = address(name);
        const m = lab.addMachine(name, { public: { bridge: 'bpub', cidr: `${a.public}/24` }, private: { bridge: 'bprv', cidr: `${a.private}/24` } });
        const wg = wgFile(name);
        // Its own wireguard-go as wg0, as the mesh step would have it: a private /run/wireguard in
        // this machine's mount namespace, shared with its sshd's sessions (where `wg show` runs).
        const setup = ['mkdir -p /run/wireguard', 'mount -t tmpfs tmpfs /run/wireguard', 'wireguard-go wg0', `wg setconf wg0 ${wg.file}`, `ip address add ${wg.address} dev wg0`, 'ip link set wg0 mtu 1420 up'].join(' && ');
        const bastion = rec.machines[name]!.kind === 'bastion';
        sshds.set(name, await startSshd(rec.deployKey.publicKey, { hostKey: rec.machines[name]!.ownHostKey, forwarding: bastion, netns: { name: m.ns, address: bastion ? a.public : a.private }, setup, files: opts.files?.[name] }));
      }),
    );
    const port = Number(new URL(api.server).port);
    const forward = await lab.forwardIntoMachine(operator, port, port);
    await pointStackAt(e, stack, passphrase, {
      kubeconfig: api.kubeconfigYaml(api.admin, 'default'),
      machines: Object.fromEntries(names.map((name) => [name, { host: rec.machines[name]!.kind === 'bastion' ? address(name).public : address(name).private, port: 22, user: sshds.get(name)!.user }])),
    });
    const cli = (args: string[], env: Record<string, string> = {}, entry = SIM_CLI) =>
      new Promise<CliResult>((resolve, reject) => {
        const child = spawn('ip', ['netns', 'exec', operator.ns, process.execPath, entry, ...args], { env: { ...e.env, ...env } as NodeJS.ProcessEnv, cwd: e.dir, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      });
    // Traffic over the mesh, so every pair shakes hands now (the persistent keepalive would, in time).
    await Promise.all(
      names.map(
        (from) =>
          new Promise<void>((resolve) => {
            const targets = names.filter((to) => to !== from).map((to) => rec.machines[to]!.meshAddress);
            const child = spawn('ip', ['netns', 'exec', lab.machines.get(from)!.ns, 'sh', '-c', 'for a in "$@"; do ping -c 3 -i 0.2 -W 2 "$a" >/dev/null & done; wait', 'sh', ...targets], { stdio: 'ignore' });
            child.on('close', () => resolve());
          }),
      ),
    );
    return { lab, operator, sshds, address, cli, cutApi: () => forward.stop(), stop };
  } catch (err) {
    stop();
    throw err;
  }
}
