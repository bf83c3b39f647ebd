// Reading live objects from the API node over the deploy's real SSH path (a real sshd, the
// pinned host key, a real bastion hop), with the node's own kubectl against a real
// kube-apiserver (test/helpers/api-node.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret, type Deployment, type ResourceState } from '../../state/types.ts';
import { generateEd25519KeyPair } from '../bootstrap/ssh-keys.ts';
import { startSshd, type TestSshd } from '../testing/sshd.ts';
import { apiNodeAccess } from './access.ts';
import { nodeKubectl, readLiveObjects } from './node-command.ts';
import { COMMAND_TYPE } from './package.ts';
import { SshError, type SshTarget } from './ssh.ts';
import { apiNodeMissing, startApiNode } from '../../../test/helpers/api-node.ts';
import { startKubeApi, type KubeApi } from '../../../test/helpers/kube.ts';

const skip = apiNodeMissing();
const deploy = generateEd25519KeyPair('deploy');
const fixtures = join(import.meta.dirname, '../../../test/fixtures/manifests/live');
const manifest = readFileSync(join(fixtures, 'app.yaml'), 'utf8');
const target = (d: TestSshd, name: string, hostKey = d.hostKey.publicKey): SshTarget => ({ name, host: d.host, port: d.port, user: d.user, hostKey });
const kinds = (json: string) => (JSON.parse(json) as { items: { kind: string }[] }).items.map((o) => o.kind);

let api: KubeApi;
before(async () => {
  if (skip) return;
  api = await startKubeApi();
  // The manifest's objects, but its Certificate: cert-manager is not installed in this cluster.
  const r = api.kubectl(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n' });
  assert.equal(r.code, 0, r.stderr);
  const applied = api.kubectl(['apply', '-f', '-'], { stdin: manifest });
  assert.match(applied.stderr, /no matches for kind "Certificate"/);
});
after(async () => {
  await api?.stop();
});

test('the node kubectl is the one the generated scripts use', () => {
  assert.deepEqual(nodeKubectl({ distribution: 'rke2', dataDir: '/data/rke2' }), ['/data/rke2/bin/kubectl', '--kubeconfig', '/etc/rancher/rke2/rke2.yaml']);
  assert.deepEqual(nodeKubectl({ distribution: 'rke2' }), ['/var/lib/rancher/rke2/bin/kubectl', '--kubeconfig', '/etc/rancher/rke2/rke2.yaml']);
  assert.deepEqual(nodeKubectl({ distribution: 'k3s' }), ['k3s', 'kubectl', '--kubeconfig', '/etc/rancher/k3s/k3s.yaml']);
});

for (const distribution of ['rke2', 'k3s'] as const) {
  test(`${distribution}: reads the live objects over SSH — the manifest on stdin, the node's kubectl as root with its admin kubeconfig, JSON back`, { skip, timeout: 60_000 }, async () => {
    const node = await startApiNode(api, { authorizedKey: deploy.publicKey, distribution });
    try {
      const read = () => readLiveObjects({ ssh: { target: target(node, 'masters-1'), privateKey: deploy.privateKey }, kubectl: nodeKubectl({ distribution }), manifest, timeoutMs: 30_000 });
      const r = await read();
      // kubectl prints what exists and names the kind the cluster lacks, exiting 1.
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(kinds(r.stdout), ['Deployment', 'ConfigMap', 'Secret', 'Service']);
      assert.match(r.stderr, /no matches for kind "Certificate" in version "cert-manager\.io\/v1"/);
      // kubectl's own failure comes back as an exit code and its stderr, not as an exception.
      writeFileSync(node.tokenFile, 'revoked');
      const failed = await read();
      assert.deepEqual([failed.code, failed.stdout], [1, '']);
      assert.match(failed.stderr, /You must be logged in to the server/);
      writeFileSync(node.tokenFile, node.token);
      // No kubectl where RKE2 keeps it: the shell's "not found".
      if (distribution === 'rke2') {
        const none = await readLiveObjects({ ssh: { target: target(node, 'masters-1'), privateKey: deploy.privateKey }, kubectl: nodeKubectl({ distribution, dataDir: '/nonexistent/rke2' }), manifest, timeoutMs: 30_000 });
        assert.equal(none.code, 127);
      }
    } finally {
      node.stop();
    }
  });
}

test('through the bastion, each hop with its pinned host key; a wrong key is refused before kubectl runs', { skip, timeout: 60_000 }, async () => {
  const node = await startApiNode(api, { authorizedKey: deploy.publicKey, distribution: 'rke2' });
  const bastion = await startSshd(deploy.publicKey, { forwarding: true });
  try {
    const kubectl = nodeKubectl({ distribution: 'rke2' });
    const r = await readLiveObjects({ ssh: { target: target(node, 'masters-1'), via: target(bastion, 'bastion'), privateKey: deploy.privateKey }, kubectl, manifest, timeoutMs: 30_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(kinds(r.stdout), ['Deployment', 'ConfigMap', 'Secret', 'Service']);

    for (const bad of ['node', 'bastion'] as const) {
      const impostor = generateEd25519KeyPair('impostor').publicKey;
      await assert.rejects(
        readLiveObjects({
          ssh: { target: target(node, 'masters-1', bad === 'node' ? impostor : undefined), via: target(bastion, 'bastion', bad === 'bastion' ? impostor : undefined), privateKey: deploy.privateKey },
          kubectl,
          manifest,
          timeoutMs: 30_000,
        }),
        (err: SshError) => err.kind === 'host-key-mismatch' && err.machine === (bad === 'node' ? 'masters-1' : 'bastion'),
      );
    }
  } finally {
    node.stop();
    bastion.stop();
  }
});

test('the API node of a stack: the preferred step, else the kubeconfig step, else none', () => {
  const step = (name: string, machine: string, host: string, extra: Partial<ResourceState> = {}): ResourceState =>
    ({
      urn: `urn:pulumi:dev::sloth-kubernetes::${COMMAND_TYPE}::${name}`,
      type: COMMAND_TYPE,
      custom: true,
      id: name,
      inputs: {
        machine,
        connection: { host, port: 22, user: 'ubuntu', hostKey: 'ssh-ed25519 AAAA', via: { machine: 'bastion', host: '203.0.113.1', port: 2222, user: 'ubuntu', hostKey: 'ssh-ed25519 BBBB' } },
        privateKey: new Secret('-----BEGIN OPENSSH PRIVATE KEY-----'),
      },
      outputs: {},
      ...extra,
    }) as ResourceState;
  const deployment = (resources: ResourceState[]) => ({ manifest: {}, resources, pendingOperations: [] }) as unknown as Deployment;
  const d = deployment([step('kubeconfig', 'masters-1', '10.0.0.5'), step('manifest-web', 'masters-1', '10.0.0.6'), step('manifest-old', 'masters-1', '10.0.0.7', { delete: true })]);
  const a = apiNodeAccess(d, ['manifest-web'])!;
  assert.deepEqual([a.step, a.machine, a.ssh.target.host, a.ssh.via?.name, a.ssh.via?.port, a.ssh.privateKey], ['manifest-web', 'masters-1', '10.0.0.6', 'bastion', 2222, '-----BEGIN OPENSSH PRIVATE KEY-----']);
  assert.equal(apiNodeAccess(d, ['manifest-old'])!.step, 'kubeconfig', 'a step marked for deletion is not used');
  assert.equal(apiNodeAccess(deployment([]), ['manifest-web']), undefined);
  assert.equal(apiNodeAccess(undefined), undefined);
});
