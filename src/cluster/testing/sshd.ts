// A real OpenSSH server for tests: /usr/sbin/sshd on loopback, a free port (or, in a lab's
// network namespace, port 22 of every address), a host key we generate, and an
// authorized_keys file with the given key, all in a private temp dir.
// Logs in as the user running the tests. `stop()` kills it and removes the directory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { generateEd25519KeyPair, type SshKeyPair } from '../bootstrap/ssh-keys.ts';
import { missing } from '../../../test/helpers/parts.ts';

export const SSHD = '/usr/sbin/sshd';

export function sshdSkipReason(): string | undefined {
  return missing('sshd', 'ssh-keygen');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface TestSshd {
  host: string;
  port: number;
  user: string;
  hostKey: SshKeyPair;
  dir: string;
  stop(): void;
}

export interface SshdOptions {
  hostKey?: SshKeyPair;
  forwarding?: boolean;
  /**
   * Files that exist only for this sshd and its sessions, at absolute paths (e.g. a node's
   * /etc/rancher/rke2/rke2.yaml): sshd runs in its own mount namespace where each top-level
   * folder named is an overlay over the real one. Needs root (`missing('root', 'unshare')`).
   */
  files?: Record<string, { content: string; mode?: number }>;
  /**
   * Run inside this network namespace (`ip netns exec`), listening on port 22 of every
   * address as a machine's sshd does, reached at `address`, in a mount namespace of its own
   * (ip netns exec makes one). Needs root.
   */
  netns?: { name: string; address: string };
  /** Shell commands run as root just before sshd, in its namespaces (e.g. bring up WireGuard). */
  setup?: string;
}

/** Shell commands that mount an overlay over each top-level folder of `files`, written into their upper layers. */
function overlayMounts(dir: string, files: NonNullable<SshdOptions['files']>): string {
  const tops = [...new Set(Object.keys(files).map((p) => p.split('/')[1]!))];
  return tops
    .map((top, i) => {
      const upper = join(dir, `overlay-${i}`, 'upper');
      const work = join(dir, `overlay-${i}`, 'work');
      mkdirSync(work, { recursive: true });
      for (const [path, f] of Object.entries(files).filter(([p]) => p.split('/')[1] === top)) {
        const target = join(upper, path.split('/').slice(2).join('/'));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, f.content, { mode: f.mode ?? 0o600 });
      }
      return `mount -t overlay overlay -o lowerdir=/${top},upperdir=${upper},workdir=${work} /${top}`;
    })
    .join(' && ');
}

export async function startSshd(authorizedKey: string, opts: SshdOptions = {}): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-sshd-'));
  chmodSync(dir, 0o700);
  const hostKey = opts.hostKey ?? generateEd25519KeyPair('test-sshd');
  writeFileSync(join(dir, 'host_key'), hostKey.privateKey, { mode: 0o600 });
  writeFileSync(join(dir, 'authorized_keys'), `${authorizedKey}\n`, { mode: 0o600 });
  const port = opts.netns ? 22 : await freePort();
  const host = opts.netns?.address ?? '127.0.0.1';
  const config = [
    `Port ${port}`,
    `ListenAddress ${opts.netns ? '0.0.0.0' : host}`,
    `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    `AllowTcpForwarding ${opts.forwarding ? 'yes' : 'no'}`,
    'LogLevel VERBOSE',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'sshd_config'), config, { mode: 0o600 });
  // sshd's privilege-separation directory; the openssh-server package normally creates it.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const check = spawnSync(SSHD, ['-t', '-f', join(dir, 'sshd_config')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`sshd rejected its test config: ${check.stderr}`);
  const argv = [SSHD, '-D', '-e', '-f', join(dir, 'sshd_config')];
  const before = [opts.files ? overlayMounts(dir, opts.files) : '', opts.setup ?? ''].filter((x) => x !== '');
  const inShell = ['sh', '-c', `${before.join(' && ')}${before.length > 0 ? ' && ' : ''}exec "$@"`, 'sshd', ...argv];
  const child: ChildProcess = opts.netns
    ? spawn('ip', ['netns', 'exec', opts.netns.name, ...inShell], { stdio: ['ignore', 'ignore', 'pipe'] })
    : before.length > 0
      ? spawn('unshare', ['--mount', '--propagation', 'private', ...inShell], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  if (opts.netns) {
    // Not reachable from here: wait for sshd to say it listens.
    for (let i = 0; i < 300 && !/Server listening on/.test(log) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    if (/Server listening on/.test(log)) return { host, port, user: userInfo().username, hostKey, dir, stop };
    stop();
    throw new Error(`sshd in ${opts.netns.name} did not start: ${log}`);
  }
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return { host: '127.0.0.1', port, user: userInfo().username, hostKey, dir, stop };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  stop();
  throw new Error(`sshd did not start: ${log}`);
}
