import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, createPrivateKey } from 'node:crypto';
import { planCluster } from '../plan.ts';
import { sampleModel } from '../testing/arbitraries.ts';
import { fixedPrevious } from '../testing/snapshot.ts';
import { checkScript } from '../testing/shell-check.ts';
import { generateSaltKeyPair } from './salt.ts';
import type { ClusterModel } from '../model.ts';
import { missing } from '../../../test/helpers/parts.ts';

const salt = (over: Partial<NonNullable<ClusterModel['salt']>> = {}): ClusterModel['salt'] => ({
  master: 'masters-1',
  apiPort: 8000,
  apiUsername: 'saltapi',
  version: '3006.9',
  apiEnabled: true,
  minions: true,
  jobCache: true,
  ...over,
});
const argocd = (over: Partial<NonNullable<ClusterModel['argocd']>> = {}): ClusterModel['argocd'] => ({
  version: 'v2.11.3',
  namespace: 'argocd',
  branch: 'main',
  appsPath: 'apps',
  appOfAppsName: 'root-app',
  ...over,
});

test('Salt keys are the formats Salt writes: PKCS#1 private, SubjectPublicKeyInfo public, a matching pair', () => {
  const pair = generateSaltKeyPair();
  assert.match(pair.privateKey, /^-----BEGIN RSA PRIVATE KEY-----\n/);
  assert.match(pair.publicKey, /^-----BEGIN PUBLIC KEY-----\n/);
  const derived = createPublicKey(createPrivateKey(pair.privateKey)).export({ type: 'spki', format: 'pem' });
  assert.equal(derived, pair.publicKey);
});

test('Salt: every minion pre-accepted on the master, the master key pinned on every minion, master bound to the mesh', () => {
  const model = sampleModel({ salt: salt() });
  const plan = planCluster(model);
  const master = plan.steps.find((s) => s.name === 'salt-master')!;
  const accepted = master.files.filter((f) => f.path.startsWith('/etc/salt/pki/master/minions/')).map((f) => f.path.split('/').pop());
  assert.deepEqual(accepted, model.nodes.map((n) => n.name));
  const conf = master.files.find((f) => f.path === '/etc/salt/master.d/10-sloth.conf')!.content;
  assert.match(conf, /^interface: 10\.8\.0\.1$/m);
  assert.match(conf, /^auto_accept: false$/m);
  const api = master.files.find((f) => f.path === '/etc/salt/master.d/20-sloth-api.conf')!.content;
  assert.match(api, /host: 10\.8\.0\.1/);
  assert.match(api, /ssl_crt: \/etc\/salt\/pki\/api\/api\.crt/);
  assert.match(api, new RegExp(`sharedsecret: ${plan.salt!.apiPassword}`));
  for (const node of model.nodes) {
    const minion = plan.steps.find((s) => s.name === `salt-minion-${node.name}`)!;
    assert.equal(minion.files.find((f) => f.path.endsWith('minion_master.pub'))!.content, plan.salt!.masterKeys.publicKey);
    assert.equal(minion.files.find((f) => f.path.endsWith('minion.pem'))!.content, plan.salt!.minionKeys[node.name]!.privateKey);
    // A minion never receives another minion's private key.
    for (const other of model.nodes.filter((n) => n.name !== node.name)) {
      assert.ok(!minion.files.some((f) => f.content === plan.salt!.minionKeys[other.name]!.privateKey));
    }
  }
  assert.equal(plan.salt!.apiUrl, 'https://10.8.0.1:8000');
});

test('Salt with the API off and without minions: no API config, no pending keys, scripts still pass shellcheck', { skip: missing('shellcheck') }, () => {
  const model = sampleModel({ salt: salt({ apiEnabled: false, minions: false, jobCache: false }) });
  const plan = planCluster(model, fixedPrevious(model));
  const master = plan.steps.find((s) => s.name === 'salt-master')!;
  assert.ok(!master.files.some((f) => f.path.includes('api')));
  assert.ok(!master.files.some((f) => f.path.includes('/minions/')));
  assert.match(master.files.find((f) => f.path.endsWith('10-sloth.conf'))!.content, /^job_cache: false$/m);
  assert.equal(master.output, 'none');
  assert.ok(!plan.steps.some((s) => s.name.startsWith('salt-minion-')));
  assert.deepEqual(checkScript(master.script, 'salt-master'), []);
});

test('a Salt master that is not a machine of the cluster, or an unpinned version, is refused', () => {
  assert.throws(() => planCluster(sampleModel({ salt: salt({ master: 'nope-1' }) })), /master-node 'nope-1' is not a machine of this cluster/);
  assert.throws(() => planCluster(sampleModel({ salt: salt({ version: 'latest' }) })), /version 'latest' is not a Salt release/);
});

test('ArgoCD: a pinned release after the cluster is Ready, the app-of-apps when a repository is set, the password as a secret', { skip: missing('shellcheck') }, () => {
  const model = sampleModel({ argocd: argocd({ repoUrl: 'https://github.com/example/gitops.git' }) });
  const plan = planCluster(model);
  const step = plan.steps.find((s) => s.name === 'argocd')!;
  assert.deepEqual(step.after, ['cluster-ready']);
  assert.equal(step.output, 'secret');
  assert.match(step.script, /raw\.githubusercontent\.com\/argoproj\/argo-cd\/v2\.11\.3\/manifests\/install\.yaml/);
  assert.match(step.files[0]!.content, /repoURL: https:\/\/github\.com\/example\/gitops\.git/);
  assert.deepEqual(checkScript(step.script, 'argocd'), []);
  const plain = planCluster(sampleModel({ argocd: argocd() })).steps.find((s) => s.name === 'argocd')!;
  assert.deepEqual(plain.files, []);
});

test('ArgoCD "stable" is refused: the version must not move under a running cluster', () => {
  assert.throws(
    () => planCluster(sampleModel({ argocd: argocd({ version: 'stable' }) })),
    (err: Error & { hint?: string }) => /version 'stable' is not an ArgoCD release/.test(err.message) && /Pin a release/.test(err.hint ?? ''),
  );
});
