// The operator commands' own checks, in-process: manifests need an image and print one YAML
// stream (the CRD first); run refuses to start without a cluster to talk to or with a renew
// deadline that does not fit in the lease, saying what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { runInProcess } from '../../../test/helpers/cli.ts';

test('operator manifests: --image is required; the stream holds the CRD, namespace, account, RBAC and Deployment', async () => {
  const missing = await runInProcess(['operator', 'manifests']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /required option '--image <ref>' not specified/);
  const r = await runInProcess(['operator', 'manifests', '--image', 'registry.example/sloth:1', '--watch-namespace', 'team']);
  assert.equal(r.code, 0, r.stderr);
  const kinds = parseAllDocuments(r.stdout).map((d) => (d.toJS() as { kind: string; metadata: { namespace?: string } }));
  assert.deepEqual(kinds.map((k) => k.kind), ['CustomResourceDefinition', 'Namespace', 'ServiceAccount', 'Role', 'RoleBinding', 'Role', 'RoleBinding', 'Deployment']);
  assert.equal(kinds[3]!.metadata.namespace, 'team');
  assert.match(r.stdout, /image: registry\.example\/sloth:1/);
  assert.match(r.stdout, /- --namespace\n\s+- team/);
  const crd = await runInProcess(['operator', 'manifests', '--image', 'x', '--crd-only']);
  assert.equal(parseAllDocuments(crd.stdout).length, 1);
});

test('operator run: no cluster to talk to, or a renew deadline not shorter than the lease, is refused', async () => {
  const none = await runInProcess(['operator', 'run'], { env: { PATH: process.env.PATH } });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /cannot load the Kubernetes configuration: neither KUBECONFIG nor an in-cluster ServiceAccount/);
  assert.match(none.stderr, /Set KUBECONFIG, or run the operator in a Pod/);
  const deadline = await runInProcess(['operator', 'run', '--lease-duration', '5', '--renew-deadline', '5']);
  assert.equal(deadline.code, 1);
  assert.match(deadline.stderr, /--renew-deadline must be shorter than --lease-duration/);
  const bad = await runInProcess(['operator', 'run', '--concurrency', '0']);
  assert.match(bad.stderr, /'--concurrency <n>' argument '0' is invalid/);
});
