// The control-plane helper itself: it comes up with RBAC on, the admin is a cluster admin, an
// unauthenticated or unbound user is refused, and a ServiceAccount token from the TokenRequest
// API authenticates as that account.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { kubeApiMissing, startKubeApi, type KubeApi } from './kube.ts';

const skip = kubeApiMissing();
let api: KubeApi;
before(async () => {
  if (!skip) api = await startKubeApi();
});
after(async () => {
  await api?.stop();
});

test('etcd + kube-apiserver on loopback: admin works, RBAC refuses others, ServiceAccount tokens authenticate', { skip, timeout: 120_000 }, () => {
  let r = api.kubectl(['get', 'namespaces', '-o', 'name']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /namespace\/default/);
  r = api.kubectl(['auth', 'can-i', '*', '*']);
  assert.equal(r.stdout.trim(), 'yes');

  assert.equal(api.kubectl(['create', 'serviceaccount', 'probe', '-n', 'default']).code, 0);
  r = api.kubectl(['create', 'token', 'probe', '-n', 'default']);
  assert.equal(r.code, 0, r.stderr);
  const token = r.stdout.trim();
  const kc = `${api.dir}/probe.kubeconfig`;
  writeFileSync(kc, api.kubeconfigYaml({ token }), { mode: 0o600 });
  r = api.kubectl(['get', 'pods', '-n', 'default'], { kubeconfig: kc });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /forbidden: User "system:serviceaccount:default:probe" cannot list resource "pods"/);

  writeFileSync(kc, api.kubeconfigYaml({ token: 'not-a-token' }), { mode: 0o600 });
  r = api.kubectl(['get', 'pods'], { kubeconfig: kc });
  assert.match(r.stderr, /Unauthorized|must be logged in/);
});
