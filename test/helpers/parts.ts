// The real parts tests drive (programs, servers, contracts), found in one place. A test asks
// `missing('sshd')`: undefined when the part is here; otherwise, on a developer's machine, the
// reason to skip (the summary reporter lists it at the end of the run) and, under CI=true, an
// error: a green CI run means every part ran. Only the opt-in real-cloud suites may skip in CI
// (`optIn`). `scripts/test-peers` installs every part; `docs/testing.md` lists them.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** Where `scripts/test-peers` puts what it builds (git-ignored); SLOTH_PEERS_DIR overrides it. */
export const PEERS_DIR = process.env.SLOTH_PEERS_DIR || join(REPO, '.peers');
export const PEERS_BIN = join(PEERS_DIR, 'bin');
/** Salt's virtualenv (salt-master, salt-api with rest_cherrypy, salt-minion). */
export const SALT_BIN = join(PEERS_DIR, 'salt', 'bin');
/** Providers' published contracts and Pulumi's fixtures, copied into the tree (test/contracts/README.md). */
export const CONTRACTS = join(REPO, 'test/contracts');

const SETUP = 'scripts/test-peers';

interface Part {
  /** What a developer runs to get it. */
  install: string;
  /** Present? (cheap; the result is cached) */
  probe(): boolean;
}

/** A program on PATH or in the peers' bin folder. */
function program(name: string): () => boolean {
  return () => which(name) !== undefined;
}

/** The path of a program: the peers' own build first, then PATH. */
export function which(name: string): string | undefined {
  for (const dir of [PEERS_BIN, ...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin']) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Network namespaces can be made here, and wireguard-go can open a TUN device. */
function netnsWorks(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || !which('ip')) return false;
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  const probe = `sltprobe${process.pid}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return false;
  spawnSync('ip', ['netns', 'del', probe]);
  return true;
}

/** PostgreSQL's server programs (initdb, pg_ctl, postgres): Debian keeps them under /usr/lib/postgresql/<major>/bin. */
export const POSTGRES_BIN: string | undefined = (() => {
  for (const major of ['17', '16', '15']) if (existsSync(`/usr/lib/postgresql/${major}/bin/pg_ctl`)) return `/usr/lib/postgresql/${major}/bin`;
  const onPath = which('pg_ctl');
  return onPath ? onPath.replace(/\/pg_ctl$/, '') : undefined;
})();
/** Debian's Chromium, driven by playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';
/** The flags every browser test runs it with: headless, no sandbox (root), no GPU, no network of its own. */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const apt = (pkg: string) => `${SETUP} (Debian package ${pkg})`;
const built = (what: string) => `${SETUP} (builds ${what} into .peers/bin)`;

const PARTS = {
  moto: { install: `${SETUP} (PyPI moto[server])`, probe: () => spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0 },
  salt: { install: `${SETUP} salt (PyPI salt and CherryPy into .peers/salt)`, probe: () => ['salt-master', 'salt-api', 'salt-minion'].every((p) => existsSync(join(SALT_BIN, p))) },
  wg: { install: apt('wireguard-tools'), probe: program('wg') },
  'wireguard-go': { install: apt('wireguard-go'), probe: program('wireguard-go') },
  shellcheck: { install: apt('shellcheck'), probe: program('shellcheck') },
  sshd: { install: apt('openssh-server'), probe: () => existsSync('/usr/sbin/sshd') },
  'ssh-keygen': { install: apt('openssh-client'), probe: program('ssh-keygen') },
  ip: { install: apt('iproute2'), probe: program('ip') },
  nft: { install: apt('nftables'), probe: program('nft') },
  ping: { install: apt('iputils-ping'), probe: program('ping') },
  openssl: { install: apt('openssl'), probe: program('openssl') },
  git: { install: apt('git'), probe: program('git') },
  script: { install: apt('bsdutils'), probe: program('script') },
  bash: { install: apt('bash'), probe: program('bash') },
  fish: { install: apt('fish'), probe: program('fish') },
  zsh: { install: apt('zsh'), probe: program('zsh') },
  kubectl: { install: built('kubectl'), probe: program('kubectl') },
  etcd: { install: built('etcd'), probe: program('etcd') },
  'kube-apiserver': { install: built('kube-apiserver'), probe: program('kube-apiserver') },
  pulumi: { install: built('the Pulumi CLI'), probe: program('pulumi') },
  postgres: { install: apt('postgresql'), probe: () => POSTGRES_BIN !== undefined },
  chromium: { install: apt('chromium'), probe: () => existsSync(CHROMIUM) },
  schemathesis: { install: `${SETUP} (PyPI schemathesis)`, probe: () => spawnSync('python3', ['-c', 'import schemathesis'], { stdio: 'ignore' }).status === 0 },
  unshare: { install: apt('util-linux'), probe: () => spawnSync('unshare', ['--mount', '--net', 'true']).status === 0 },
  root: { install: 'run the tests as root (CI does; locally: sudo npm test)', probe: () => process.getuid?.() === 0 },
  netns: { install: `${apt('iproute2')}, as root, with /dev/net/tun`, probe: netnsWorks },
} satisfies Record<string, Part>;

export type PartName = keyof typeof PARTS;

const seen = new Map<PartName, boolean>();
function present(name: PartName): boolean {
  let ok = seen.get(name);
  if (ok === undefined) seen.set(name, (ok = PARTS[name].probe()));
  return ok;
}

export const inCi = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

/**
 * Undefined when every part named is here. Otherwise the reason a test skips — or, under
 * CI=true, an error naming the part and the command that installs it.
 */
export function missing(...names: PartName[]): string | undefined {
  const absent = names.filter((n) => !present(n));
  if (absent.length === 0) return undefined;
  const reason = absent.map((n) => `${n} is missing (install: ${PARTS[n].install})`).join('; ');
  if (inCi()) throw new Error(`CI=true and a real part this test needs is missing: ${reason}`);
  return reason;
}
