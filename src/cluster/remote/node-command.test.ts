// Reading live objects from the API node over the deploy's real SSH path (a real sshd, the
// pinned host key, a real bastion hop). The node's kubectl is the one test double: there is
// no Kubernetes API server on this machine (test/fixtures/manifests/live/kubectl-double.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret, type Deployment, type ResourceState } from '../../state/types.ts';
import { generateEd25519KeyPair } from '../bootstrap/ssh-keys.ts';
import { startSshd, sshdSkipReason, type TestSshd } from '../testing/sshd.ts';
import { apiNodeAccess } from './api-node.ts';
import { nodeKubectl, readLiveObjects } from './node-command.ts';
import { COMMAND_TYPE } from './package.ts';
import { SshError, type SshTarget } from './ssh.ts';

const skip = sshdSkipReason();
const deploy = generateEd25519KeyPair('deploy');
const fixtures = join(import.meta.dirname, '../../../test/fixtures/manifests/live');
const manifest = readFileSync(join(fixtures, 'app.yaml'), 'utf8');
const target = (d: TestSshd, name: string, hostKey = d.hostKey.publicKey): SshTarget => ({ name, host: d.host, port: d.port, user: d.user, hostKey });

/** RKE2's kubectl lives in <data-dir>/bin: the double goes there. */
function installDouble(dataDir: string, stdout: string): string {
  const bin = join(dataDir, 'bin');
  mkdirSync(bin, { recursive: true });
  copyFileSync(join(fixtures, 'kubectl-double.sh'), join(bin, 'kubectl'));
  writeFileSync(join(bin, 'stdout'), stdout);
  return bin;
}

test('the node kubectl is the one the generated scripts use', () => {
  assert.deepEqual(nodeKubectl({ distribution: 'rke2', dataDir: '/data/rke2' }), ['/data/rke2/bin/kubectl', '--kubeconfig', '/etc/rancher/rke2/rke2.yaml']);
  assert.deepEqual(nodeKubectl({ distribution: 'rke2' }), ['/var/lib/rancher/rke2/bin/kubectl', '--kubeconfig', '/etc/rancher/rke2/rke2.yaml']);
  assert.deepEqual(nodeKubectl({ distribution: 'k3s' }), ['k3s', 'kubectl', '--kubeconfig', '/etc/rancher/k3s/k3s.yaml']);
});

test('reads the live objects over SSH: the manifest on stdin, kubectl as root with the admin kubeconfig, JSON back', { skip, timeout: 60_000 }, async () => {
  const sshd = await startSshd(deploy.publicKey);
  try {
    const live = readFileSync(join(fixtures, 'app.live.json'), 'utf8');
    const dataDir = join(sshd.dir, 'rke2');
    const bin = installDouble(dataDir, live);
    const r = await readLiveObjects({ ssh: { target: target(sshd, 'masters-1'), privateKey: deploy.privateKey }, kubectl: nodeKubectl({ distribution: 'rke2', dataDir }), manifest, timeoutMs: 30_000 });
    assert.deepEqual([r.code, r.stderr], [0, '']);
    assert.equal(r.stdout, live);
    assert.equal(readFileSync(join(bin, 'stdin'), 'utf8'), manifest, 'the recorded manifest, byte for byte, on stdin');
    assert.equal(readFileSync(join(bin, 'uid'), 'utf8').trim(), '0', 'run as root (the admin kubeconfig is root-only)');
    // kubectl's own failure comes back as an exit code and its stderr, not as an exception.
    writeFileSync(join(bin, 'exit'), '1');
    writeFileSync(join(bin, 'stderr'), 'error: You must be logged in to the server (Unauthorized)\n');
    writeFileSync(join(bin, 'stdout'), '');
    const failed = await readLiveObjects({ ssh: { target: target(sshd, 'masters-1'), privateKey: deploy.privateKey }, kubectl: nodeKubectl({ distribution: 'rke2', dataDir }), manifest, timeoutMs: 30_000 });
    assert.deepEqual([failed.code, failed.stdout, failed.stderr], [1, '', 'error: You must be logged in to the server (Unauthorized)\n']);
    // No kubectl where RKE2 keeps it: the shell's "not found".
    const none = await readLiveObjects({ ssh: { target: target(sshd, 'masters-1'), privateKey: deploy.privateKey }, kubectl: nodeKubectl({ distribution: 'rke2', dataDir: join(sshd.dir, 'nothing') }), manifest, timeoutMs: 30_000 });
    assert.equal(none.code, 127);
  } finally {
    sshd.stop();
  }
});

test('through the bastion, each hop with its pinned host key; a wrong key is refused before kubectl runs', { skip, timeout: 60_000 }, async () => {
  const node = await startSshd(deploy.publicKey);
  const bastion = await startSshd(deploy.publicKey, { forwarding: true });
  try {
    const dataDir = join(node.dir, 'rke2');
    const bin = installDouble(dataDir, '');
    const kubectl = nodeKubectl({ distribution: 'rke2', dataDir });
    const r = await readLiveObjects({ ssh: { target: target(node, 'masters-1'), via: target(bastion, 'bastion'), privateKey: deploy.privateKey }, kubectl, manifest, timeoutMs: 30_000 });
    assert.deepEqual([r.code, r.stdout], [0, ''], r.stderr);
    assert.equal(readFileSync(join(bin, 'stdin'), 'utf8'), manifest);

    rmSync(join(bin, 'args'));
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
    assert.equal(existsSync(join(bin, 'args')), false, 'kubectl never ran');
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
