// A small network lab made of Linux network namespaces: one "world" namespace holding the
// bridges (a public network and one private network per provider), and one namespace per
// machine, wired to the bridges with veth pairs. Each machine can run a userspace
// WireGuard (wireguard-go) interface configured from a wg-quick file.
//
// Nothing is created in the host's own namespace. Every name carries this process's pid,
// so concurrent runs never collide, and a later run removes what a killed run left behind.
// WireGuard interface names must be unique machine-wide (wireguard-go's control sockets
// live in /var/run/wireguard/, which namespaces share), so they carry the pid too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { missing } from '../helpers/parts.ts';

const PREFIX = 'slt';

/** Why the lab cannot run here, or undefined when it can. */
export function netnsSkipReason(): string | undefined {
  return missing('netns', 'ip', 'wg', 'wireguard-go', 'ping');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes namespaces left by lab runs whose process is gone. */
export function removeStaleNamespaces(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) {
      // A killed run may have left wireguard-go running inside: stop it before the namespace goes.
      const pids = (spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout ?? '').split('\n').filter((p) => /^\d+$/.test(p));
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      spawnSync('ip', ['netns', 'del', name]);
    }
  }
}

export interface LabMachine {
  name: string;
  ns: string;
  /** The WireGuard interface name on this machine (unique machine-wide). */
  wgInterface: string;
  addresses: { public?: string; private?: string };
  wireguard?: ChildProcess;
}

export class NetnsLab {
  readonly id = `${PREFIX}${process.pid}`;
  readonly world: string;
  readonly machines = new Map<string, LabMachine>();
  private readonly namespaces: string[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'sloth-netns-'));
  private vethCount = 0;
  private readonly stops: (() => void)[] = [];
  private readonly onExit = (): void => this.cleanupSync();

  constructor() {
    removeStaleNamespaces();
    process.once('exit', this.onExit);
    this.world = this.addNamespace('world');
  }

  /** Runs a command (optionally inside a namespace); throws with its stderr when it fails. */
  run(argv: string[], opts: { ns?: string; input?: string } = {}): string {
    const full = opts.ns ? ['ip', 'netns', 'exec', opts.ns, ...argv] : argv;
    const r = spawnSync(full[0]!, full.slice(1), { input: opts.input, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`${full.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  private addNamespace(short: string): string {
    const ns = `${this.id}-${short}`;
    this.run(['ip', 'netns', 'add', ns]);
    this.namespaces.push(ns);
    this.run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A network segment: a bridge in the world namespace. */
  addNetwork(bridge: string): void {
    this.run(['ip', '-n', this.world, 'link', 'add', bridge, 'type', 'bridge']);
    this.run(['ip', '-n', this.world, 'link', 'set', bridge, 'up']);
  }

  /** A machine with a NIC on each given network (`{ bridge: 'address/prefix' }`). */
  addMachine(name: string, nics: { public?: { bridge: string; cidr: string }; private?: { bridge: string; cidr: string } }): LabMachine {
    const index = this.machines.size + 1;
    const ns = this.addNamespace(`m${index}`);
    const machine: LabMachine = { name, ns, wgInterface: `w${process.pid.toString(36)}n${index}`, addresses: {} };
    for (const kind of ['public', 'private'] as const) {
      const nic = nics[kind];
      if (!nic) continue;
      const outer = `v${process.pid.toString(36)}x${++this.vethCount}`;
      const inner = kind === 'public' ? 'pub0' : 'prv0';
      this.run(['ip', 'link', 'add', outer, 'netns', this.world, 'type', 'veth', 'peer', 'name', inner, 'netns', ns]);
      this.run(['ip', '-n', this.world, 'link', 'set', outer, 'master', nic.bridge, 'up']);
      this.run(['ip', '-n', ns, 'addr', 'add', nic.cidr, 'dev', inner]);
      this.run(['ip', '-n', ns, 'link', 'set', inner, 'up']);
      machine.addresses[kind] = nic.cidr.split('/')[0];
    }
    this.machines.set(name, machine);
    return machine;
  }

  /** Starts wireguard-go for the machine's interface and waits for its control socket. */
  async startWireGuard(machine: LabMachine): Promise<void> {
    const child = spawn('ip', ['netns', 'exec', machine.ns, 'wireguard-go', '-f', machine.wgInterface], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    machine.wireguard = child;
    const socket = `/var/run/wireguard/${machine.wgInterface}.sock`;
    for (let i = 0; i < 100; i++) {
      if (existsSync(socket)) return;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`wireguard-go for ${machine.name} did not start: ${stderr}`);
  }

  /**
   * Applies a wg-quick file the way wg-quick would, without wg-quick's host-wide side
   * effects: `wg-quick strip` keeps the WireGuard part, `wg setconf`/`syncconf` loads it,
   * and `ip` sets the address and MTU it names.
   */
  applyWgQuick(machine: LabMachine, text: string, mode: 'set' | 'sync' = 'set'): void {
    const file = join(this.dir, `${machine.wgInterface}.conf`);
    writeFileSync(file, text, { mode: 0o600 });
    const stripped = this.run(['wg-quick', 'strip', file]);
    const strippedFile = join(this.dir, `${machine.wgInterface}.wg`);
    writeFileSync(strippedFile, stripped, { mode: 0o600 });
    this.run(['wg', mode === 'set' ? 'setconf' : 'syncconf', machine.wgInterface, strippedFile], { ns: machine.ns });
    const address = /^Address = (.+)$/m.exec(text)?.[1];
    const mtu = /^MTU = (\d+)$/m.exec(text)?.[1];
    if (!address || !mtu) throw new Error(`config for ${machine.name} names no Address or MTU`);
    this.run(['ip', '-n', machine.ns, 'addr', 'replace', address, 'dev', machine.wgInterface]);
    this.run(['ip', '-n', machine.ns, 'link', 'set', machine.wgInterface, 'mtu', mtu, 'up']);
  }

  /** Lets a machine forward packets between its interfaces (what a bastion's sysctl does). */
  enableForwarding(machine: LabMachine): void {
    this.run(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'], { ns: machine.ns });
  }

  /** True when `address` answers ICMP echo from the machine (a few tries for the first handshake). */
  ping(machine: LabMachine, address: string): boolean {
    for (let attempt = 0; attempt < 4; attempt++) {
      const r = spawnSync('ip', ['netns', 'exec', machine.ns, 'ping', '-c', '1', '-W', '2', address], { stdio: 'ignore', timeout: 10_000 });
      if (r.status === 0) return true;
    }
    return false;
  }

  /**
   * Makes a TCP port of this (the host's) loopback reachable inside a machine, on its own
   * 127.0.0.1:`port`: a unix socket carries the connections across the namespaces (a listener
   * here, one there). Stopped with the lab.
   */
  async forwardIntoMachine(machine: LabMachine, port: number, targetPort: number): Promise<{ stop(): void }> {
    const path = join(this.dir, `fwd-${machine.wgInterface}-${port}.sock`);
    const here = createServer((c) => {
      const t = connect(targetPort, '127.0.0.1');
      c.pipe(t).pipe(c);
      c.on('error', () => t.destroy());
      t.on('error', () => c.destroy());
    });
    await new Promise<void>((resolve) => here.listen(path, resolve));
    const script = `const n=require('node:net');n.createServer((c)=>{const u=n.connect(${JSON.stringify(path)});c.pipe(u).pipe(c);c.on('error',()=>u.destroy());u.on('error',()=>c.destroy());}).listen(${port},'127.0.0.1',()=>console.log('listening'));`;
    const child = spawn('ip', ['netns', 'exec', machine.ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 200 && !out.includes('listening') && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    if (!out.includes('listening')) throw new Error(`forwarder in ${machine.name} did not start: ${out}`);
    const stop = () => {
      child.kill('SIGKILL');
      here.close();
    };
    this.stops.push(stop);
    return { stop };
  }

  /** Kills every process still running inside the machine's namespace (daemons a test started there). */
  killProcesses(machine: LabMachine): void {
    const pids = (spawnSync('ip', ['netns', 'pids', machine.ns], { encoding: 'utf8' }).stdout ?? '').split('\n').filter((p) => /^\d+$/.test(p));
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  showWireGuard(machine: LabMachine): string {
    return spawnSync('ip', ['netns', 'exec', machine.ns, 'wg', 'show', machine.wgInterface], { encoding: 'utf8' }).stdout ?? '';
  }

  /** Stops every wireguard-go and deletes every namespace; safe to call twice. */
  cleanupSync(): void {
    for (const stop of this.stops.splice(0)) stop();
    for (const m of this.machines.values()) this.killProcesses(m);
    for (const m of this.machines.values()) {
      if (m.wireguard && m.wireguard.exitCode === null) m.wireguard.kill('SIGTERM');
    }
    for (const ns of this.namespaces.splice(0).reverse()) spawnSync('ip', ['netns', 'del', ns]);
    for (const m of this.machines.values()) rmSync(`/var/run/wireguard/${m.wgInterface}.sock`, { force: true });
    rmSync(this.dir, { recursive: true, force: true });
    process.removeListener('exit', this.onExit);
  }
}
