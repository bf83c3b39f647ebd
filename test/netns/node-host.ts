// A lab machine that looks, over SSH, like a deployed cluster machine: in its network
// namespace and a private mount namespace it runs wireguard-go for `wg0` (its control socket in
// a private /run/wireguard, so every machine can call its interface wg0), a writable
// /etc/wireguard, and the real sshd on port 22 with the machine's own host key and the stack's
// deploy key, logging in as root. `systemctl` is a stand-in that accepts `enable`: the mesh
// script's other commands (wg-quick strip, wg syncconf, ip, nft) are the real ones.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSHD } from '../../src/cluster/testing/sshd.ts';
import type { SshKeyPair } from '../../src/cluster/bootstrap/ssh-keys.ts';
import type { LabMachine } from './harness.ts';

export interface NodeHost {
  machine: LabMachine;
  stop(): void;
}

export async function startNodeHost(machine: LabMachine, opts: { hostKey: SshKeyPair; authorizedKey: string; forwarding?: boolean; mtu?: number }): Promise<NodeHost> {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-node-host-'));
  chmodSync(dir, 0o700);
  writeFileSync(join(dir, 'host_key'), opts.hostKey.privateKey, { mode: 0o600 });
  writeFileSync(join(dir, 'authorized_keys'), `${opts.authorizedKey}\n`, { mode: 0o600 });
  mkdirSync(join(dir, 'sbin'));
  writeFileSync(join(dir, 'sbin', 'systemctl'), '#!/bin/sh\n# lab stand-in: units are not managed here\nexit 0\n', { mode: 0o755 });
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      'Port 22',
      'ListenAddress 0.0.0.0',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `AllowTcpForwarding ${opts.forwarding ? 'yes' : 'no'}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  mkdirSync('/run/wireguard', { recursive: true });
  mkdirSync('/etc/wireguard', { recursive: true });
  const script = [
    'set -e',
    'mount -t tmpfs -o mode=0755 tmpfs /run/wireguard',
    'mount -t tmpfs -o mode=0700 tmpfs /etc/wireguard',
    `mount --bind ${join(dir, 'sbin')} /usr/local/sbin`,
    'wireguard-go -f wg0 &',
    'for i in $(seq 100); do [ -S /run/wireguard/wg0.sock ] && break; sleep 0.05; done',
    `ip link set wg0 mtu ${opts.mtu ?? 1420} up`,
    `exec ${SSHD} -D -e -f ${join(dir, 'sshd_config')}`,
  ].join('\n');
  const child: ChildProcess = spawn('ip', ['netns', 'exec', machine.ns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', script], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const stop = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (child.exitCode !== null) break;
    if (/Server listening on 0\.0\.0\.0 port 22/.test(log)) return { machine, stop };
  }
  stop();
  throw new Error(`the lab machine ${machine.name} did not start: ${log}`);
}
