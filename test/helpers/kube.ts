// A real Kubernetes control plane for tests, in the manner of controller-runtime's envtest:
// etcd and kube-apiserver built from their official Go modules (scripts/test-peers), on
// loopback ports, with certificates made by the real openssl (a CA, a serving certificate for
// 127.0.0.1, an admin client certificate in system:masters), RBAC on, and an admin kubeconfig.
// No kubelet, scheduler or controller-manager runs: Node objects are registered through the
// API and Pods bound by the test, as a kubelet and the scheduler would. The ServiceAccount
// admission plugin is off because no controller creates the `default` ServiceAccounts; tokens
// for ServiceAccounts come from the TokenRequest API, as in a real cluster.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { freePort } from './moto.ts';
import { missing, which } from './parts.ts';

/** Why a test that needs the control plane cannot run here (skip), or undefined. */
export const kubeApiMissing = (): string | undefined => missing('etcd', 'kube-apiserver', 'kubectl', 'openssl');

export interface KubeUser {
  token?: string;
  /** PEM client certificate and key. */
  clientCertificate?: string;
  clientKey?: string;
}

export interface KubeApi {
  /** https://127.0.0.1:PORT */
  server: string;
  /** The cluster CA (PEM) the serving certificate is signed by. */
  caCertificate: string;
  /** The admin client (system:masters). */
  admin: Required<Pick<KubeUser, 'clientCertificate' | 'clientKey'>>;
  /** Path of an admin kubeconfig (0600). */
  kubeconfig: string;
  /** Milliseconds from spawning etcd to /readyz answering ok. */
  readyMs: number;
  dir: string;
  /** A kubeconfig document (YAML) for `user`, context `name`. */
  kubeconfigYaml(user?: KubeUser, name?: string): string;
  /** Runs the real kubectl as admin (or with `kubeconfig`); resolves with its exit code and output. */
  kubectl(args: string[], opts?: { stdin?: string; kubeconfig?: string }): { code: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** CA, serving certificate (127.0.0.1, localhost, the in-cluster names), admin client certificate, service-account signing key. */
function makeCertificates(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '365', '-subj', '/CN=sloth-test-ca']);
  const sign = (name: string, subject: string, ext: string) => {
    openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '365', '-extfile', `${name}.ext`]);
  };
  sign('apiserver', '/CN=kube-apiserver', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n');
  sign('admin', '/O=system:masters/CN=sloth-test-admin', 'extendedKeyUsage=clientAuth\n');
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'sa.key']);
  openssl(dir, ['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
}

function start(command: string, args: string[], logFile: string): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.on('exit', () => writeFileSync(logFile, log));
  (child as ChildProcess & { tail: () => string }).tail = () => log.slice(-3000);
  return child;
}

const tail = (c: ChildProcess) => (c as ChildProcess & { tail: () => string }).tail();

function readyz(server: string, ca: string, cert: string, key: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${server}/readyz`, { ca, cert, key, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export async function startKubeApi(): Promise<KubeApi> {
  const why = kubeApiMissing();
  if (why) throw new Error(why);
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'sloth-kube-'));
  makeCertificates(dir);
  const [etcdClient, etcdPeer, securePort] = [await freePort(), await freePort(), await freePort()];
  const etcd = start(
    which('etcd')!,
    [
      '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', `http://127.0.0.1:${etcdClient}`,
      '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
      '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster', `default=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
      '--log-level', 'warn',
    ],
    join(dir, 'etcd.log'),
  );
  const apiserver = start(
    which('kube-apiserver')!,
    [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${securePort}`,
      `--cert-dir=${join(dir, 'certs')}`,
      `--tls-cert-file=${join(dir, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(dir, 'apiserver.key')}`,
      `--client-ca-file=${join(dir, 'ca.crt')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/24',
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      '--v=0',
    ],
    join(dir, 'kube-apiserver.log'),
  );
  const server = `https://127.0.0.1:${securePort}`;
  const caCertificate = readFileSync(join(dir, 'ca.crt'), 'utf8');
  const admin = { clientCertificate: readFileSync(join(dir, 'admin.crt'), 'utf8'), clientKey: readFileSync(join(dir, 'admin.key'), 'utf8') };
  const stop = async () => {
    await stopProcess(apiserver);
    await stopProcess(etcd);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  while (!(await readyz(server, caCertificate, admin.clientCertificate, admin.clientKey))) {
    const dead = [etcd, apiserver].find((c) => c.exitCode !== null);
    if (dead || Date.now() > deadline) {
      const message = `${dead === etcd ? 'etcd exited' : dead ? 'kube-apiserver exited' : 'kube-apiserver was not ready within 90 s'}:\n${tail(dead ?? apiserver)}`;
      await stop();
      throw new Error(message);
    }
    await sleep(100);
  }
  const readyMs = Date.now() - started;

  const kubeconfigYaml = (user: KubeUser = admin, name = 'sloth-test') =>
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster: { server, 'certificate-authority-data': Buffer.from(caCertificate).toString('base64') } }],
      users: [
        {
          name,
          user: {
            ...(user.token ? { token: user.token } : {}),
            ...(user.clientCertificate ? { 'client-certificate-data': Buffer.from(user.clientCertificate).toString('base64') } : {}),
            ...(user.clientKey ? { 'client-key-data': Buffer.from(user.clientKey).toString('base64') } : {}),
          },
        },
      ],
      contexts: [{ name, context: { cluster: name, user: name } }],
      'current-context': name,
    });
  const kubeconfig = join(dir, 'admin.kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml(), { mode: 0o600 });

  return {
    server,
    caCertificate,
    admin,
    kubeconfig,
    readyMs,
    dir,
    kubeconfigYaml,
    kubectl(args, opts = {}) {
      const r = spawnSync(which('kubectl')!, ['--kubeconfig', opts.kubeconfig ?? kubeconfig, ...args], { input: opts.stdin, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir }, timeout: 60_000 });
      return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
    },
    stop,
  };
}
