// A cluster's API node for tests that reach a node over SSH and run its own kubectl: a real
// sshd whose sessions see, in their own mount namespace, what an RKE2 or K3s server holds —
// the admin kubeconfig at the distribution's path and kubectl where the distribution keeps it
// (RKE2: <data-dir>/bin/kubectl; K3s: `k3s kubectl`, here a two-line shim over the real
// kubectl, as k3s embeds kubectl) — pointed at a real kube-apiserver (kube.ts). Nothing is
// written to the machine's own /etc, /var or /usr.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PATHS } from '../../src/cluster/bootstrap/kubernetes.ts';
import type { SshKeyPair } from '../../src/cluster/bootstrap/ssh-keys.ts';
import { startSshd, type TestSshd } from '../../src/cluster/testing/sshd.ts';
import type { KubeApi } from './kube.ts';
import { missing, which } from './parts.ts';

export const apiNodeMissing = (): string | undefined => missing('sshd', 'ssh-keygen', 'root', 'unshare', 'etcd', 'kube-apiserver', 'kubectl', 'openssl');

export interface ApiNode extends TestSshd {
  /** The node's admin credential (a ServiceAccount token bound to cluster-admin) lives here, outside the node's view: write a bad one to make kubectl on the node Unauthorized. */
  tokenFile: string;
  token: string;
}

let grants = 0;

export async function startApiNode(api: KubeApi, opts: { authorizedKey: string; hostKey?: SshKeyPair; distribution: 'rke2' | 'k3s'; dataDir?: string }): Promise<ApiNode> {
  const name = `sloth-node-admin-${process.pid}-${++grants}`;
  for (const args of [
    ['create', 'serviceaccount', name, '-n', 'kube-system'],
    ['create', 'clusterrolebinding', name, '--clusterrole=cluster-admin', `--serviceaccount=kube-system:${name}`],
  ]) {
    const r = api.kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  }
  const issued = api.kubectl(['create', 'token', name, '-n', 'kube-system', '--duration=2h']);
  if (issued.code !== 0) throw new Error(`kubectl create token: ${issued.stderr}`);
  const token = issued.stdout.trim();
  const secrets = mkdtempSync(join(tmpdir(), 'sloth-api-node-'));
  const tokenFile = join(secrets, 'token');
  writeFileSync(tokenFile, token, { mode: 0o600 });

  const paths = PATHS[opts.distribution];
  const kubeconfig = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'default', cluster: { server: api.server, 'certificate-authority-data': Buffer.from(api.caCertificate).toString('base64') } }],
    users: [{ name: 'default', user: { tokenFile } }],
    contexts: [{ name: 'default', context: { cluster: 'default', user: 'default' } }],
    'current-context': 'default',
  });
  const kubectl = which('kubectl')!;
  const files: Record<string, { content: string; mode?: number }> = {
    [paths.kubeconfig]: { content: kubeconfig },
    // kubectl's discovery cache goes to $HOME/.kube: kept inside the node's view too.
    '/root/.kube/.sloth-test-node': { content: '' },
  };
  if (opts.distribution === 'k3s') files['/usr/local/bin/k3s'] = { content: `#!/bin/sh\n[ "$1" = kubectl ] && shift\nexec ${kubectl} "$@"\n`, mode: 0o755 };
  else files[`${opts.dataDir ?? paths.defaultDataDir}/bin/kubectl`] = { content: `#!/bin/sh\nexec ${kubectl} "$@"\n`, mode: 0o755 };

  const sshd = await startSshd(opts.authorizedKey, { hostKey: opts.hostKey, files });
  return {
    ...sshd,
    tokenFile,
    token,
    stop() {
      sshd.stop();
      rmSync(secrets, { recursive: true, force: true });
    },
  };
}
