import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareObject, diffWithLive, kubectlGetItems, ManifestObjectsError, parseQuantity, recordedObjects, sameQuantity, unknownKinds } from './index.ts';
import type { KubeObject } from './index.ts';

const fixtures = join(import.meta.dirname, '../../test/fixtures/manifests/live');
const manifest = readFileSync(join(fixtures, 'app.yaml'), 'utf8');
const liveText = readFileSync(join(fixtures, 'app.live.json'), 'utf8');
const live = (): KubeObject[] => kubectlGetItems(liveText);
// Fixture objects are edited in place to make drift; their shape is kubectl's, not a type of ours.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
const item = (items: KubeObject[], kind: string): Loose => items.find((o) => o.kind === kind)!;

test('the recorded objects: every document, List items flattened, read as kubectl reads YAML (octal modes)', () => {
  const objs = recordedObjects(manifest);
  assert.deepEqual(
    objs.map((o) => [o.ref.kind, o.ref.namespace, o.ref.name]),
    [
      ['Deployment', 'shop', 'web'],
      ['ConfigMap', 'shop', 'web-config'],
      ['Secret', 'shop', 'web-credentials'],
      ['Service', 'shop', 'web'],
      ['Certificate', 'shop', 'web-tls'],
    ],
  );
  const dep = objs[0]!.object as Loose;
  assert.equal(dep.spec.template.spec.volumes[0].configMap.defaultMode, 420);
});

test('in sync: server-managed metadata, status, defaulted fields, canonical quantities and decoded Secret values are no difference', () => {
  const d = diffWithLive(manifest, live());
  assert.deepEqual(
    d.objects.map((o) => [o.kind, o.state, o.differences]),
    [
      ['Deployment', 'in-sync', []],
      ['ConfigMap', 'in-sync', []],
      ['Secret', 'in-sync', []],
      ['Service', 'in-sync', []],
      ['Certificate', 'in-sync', []],
    ],
  );
  assert.equal(d.inSync, true);
  assert.deepEqual(d.counts, { objects: 5, inSync: 5, differs: 0, missing: 0 });
});

test('drift in a Deployment: changed scalars, a changed keyed list item, a removed label, an extra item in a plain list', () => {
  const items = live();
  const dep = item(items, 'Deployment');
  dep.spec.replicas = 5;
  const c = dep.spec.template.spec.containers[0];
  c.image = 'nginx:1.26';
  c.resources.limits.memory = '1Gi';
  c.env.push({ name: 'DEBUG', value: '1' }); // another manager's item in a keyed list: not ours
  delete dep.metadata.labels.app;
  // Another container injected first: containers are matched by name, not position.
  dep.spec.template.spec.containers.unshift({ name: 'sidecar', image: 'envoy' });
  const cert = item(items, 'Certificate');
  cert.spec.dnsNames.push('www.shop.example.com');
  const d = diffWithLive(manifest, items);
  assert.equal(d.inSync, false);
  assert.deepEqual(d.objects[0]!.differences, [
    { path: 'metadata.labels.app', change: 'absent', recorded: 'web' },
    { path: 'spec.replicas', change: 'changed', recorded: 2, live: 5 },
    { path: 'spec.template.spec.containers[name=web].image', change: 'changed', recorded: 'nginx:1.27', live: 'nginx:1.26' },
    { path: 'spec.template.spec.containers[name=web].resources.limits.memory', change: 'changed', recorded: '0.5Gi', live: '1Gi' },
  ]);
  assert.deepEqual(d.objects[4]!.differences, [{ path: 'spec.dnsNames[1]', change: 'extra', live: 'www.shop.example.com' }]);
  assert.deepEqual(d.counts, { objects: 5, inSync: 3, differs: 2, missing: 0 });
});

test('a ConfigMap key changed and one removed; keys with dots are quoted in paths', () => {
  const items = live();
  const cm = item(items, 'ConfigMap');
  cm.data['site.conf'] = 'server {\n  listen 8080;\n}\n';
  delete cm.data['feature.beta'];
  const diffs = diffWithLive(manifest, items).objects[1]!.differences;
  assert.deepEqual(
    diffs.map((x) => [x.path, x.change]),
    [
      ['data["site.conf"]', 'changed'],
      ['data["feature.beta"]', 'absent'],
    ],
  );
});

test('a Secret: data and stringData compared decoded, differences carry no value at all', () => {
  const items = live();
  const s = item(items, 'Secret');
  s.data.password = Buffer.from('rotated-by-someone').toString('base64');
  delete s.data['api-key'];
  const diffs = diffWithLive(manifest, items).objects[2]!.differences;
  assert.deepEqual(diffs, [
    { path: 'data.password', change: 'changed', secret: true },
    { path: 'stringData.api-key', change: 'absent', secret: true },
  ]);
  const text = JSON.stringify(diffs);
  for (const planted of ['hunter2', 'aHVudGVy', 'rotated', 'sk_live']) assert.ok(!text.includes(planted), planted);
});

test('missing objects: absent ones, and those whose kind the cluster does not know', () => {
  const items = live().filter((o) => o.kind !== 'Service' && o.kind !== 'Certificate');
  const unknown = unknownKinds(
    'error: resource mapping not found for name: "web-tls" namespace: "shop" from "STDIN": no matches for kind "Certificate" in version "cert-manager.io/v1"\nensure CRDs are installed first\n',
  );
  assert.deepEqual(unknown, [{ name: 'web-tls', namespace: 'shop', kind: 'Certificate', apiVersion: 'cert-manager.io/v1' }]);
  const d = diffWithLive(manifest, items, unknown);
  assert.deepEqual(
    d.objects.map((o) => [o.kind, o.state]),
    [
      ['Deployment', 'in-sync'],
      ['ConfigMap', 'in-sync'],
      ['Secret', 'in-sync'],
      ['Service', 'missing'],
      ['Certificate', 'missing'],
    ],
  );
  assert.match(d.objects[4]!.reason!, /no kind Certificate in cert-manager\.io\/v1/);
  assert.equal(d.objects[3]!.reason, undefined);
  assert.deepEqual(d.counts, { objects: 5, inSync: 3, differs: 0, missing: 2 });
  // Any other error on stderr is not "unknown kinds": the caller reports kubectl's failure.
  assert.equal(unknownKinds('error: You must be logged in to the server (Unauthorized)\n'), undefined);
  assert.equal(unknownKinds(''), undefined);
  // For an item of a List kubectl names the kind only: every object of that kind is missing.
  assert.deepEqual(unknownKinds('error: unable to recognize no matches for kind "Certificate" in version "cert-manager.io/v1"\n'), [{ kind: 'Certificate', apiVersion: 'cert-manager.io/v1' }]);
});

test("kubectl get output shapes: a List, one object, nothing (all absent with --ignore-not-found); garbage is an error", () => {
  assert.equal(kubectlGetItems(liveText).length, 5);
  const one = JSON.stringify(item(live(), 'ConfigMap'));
  assert.deepEqual(kubectlGetItems(one).map((o) => o.kind), ['ConfigMap']);
  assert.deepEqual(kubectlGetItems(''), []);
  assert.deepEqual(kubectlGetItems('\n'), []);
  assert.throws(() => kubectlGetItems('error: the server has asked for the client to provide credentials'), ManifestObjectsError);
  assert.throws(() => kubectlGetItems('[1,2]'), /not an object/);
});

test('a manifest without a namespace matches the object in the kubeconfig namespace, or a cluster-scoped one', () => {
  const content = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  a: "1"\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n';
  const liveItems = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'kube-system' }, data: { a: '2' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'default' }, data: { a: '1' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: null },
  ];
  const d = diffWithLive(content, liveItems);
  assert.deepEqual(
    d.objects.map((o) => [o.kind, o.state, o.liveNamespace]),
    [
      ['ConfigMap', 'in-sync', 'default'],
      ['ClusterRole', 'in-sync', undefined],
    ],
  );
});

test('manifests that cannot be compared say which document and why', () => {
  assert.throws(() => recordedObjects('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: x-\n'), /document 1 \(ConfigMap\) has no metadata\.name \(generateName/);
  assert.throws(() => recordedObjects('---\nfoo: bar\n'), /document 1 has no apiVersion or kind/);
  assert.throws(() => recordedObjects('a: [1\n'), /document 1 is not valid YAML/);
  assert.deepEqual(recordedObjects('---\n# only a comment\n---\n'), []);
});

test('compareObject: empty maps and nulls set nothing; an empty list against a filled one differs; type changes are differences', () => {
  assert.deepEqual(compareObject({ kind: 'X', metadata: { name: 'a', labels: {}, annotations: null } }, { kind: 'X', metadata: { name: 'a', labels: { x: '1' } } }), []);
  assert.deepEqual(compareObject({ kind: 'X', spec: { args: [] } }, { kind: 'X', spec: { args: ['--v'] } }), [{ path: 'spec.args[0]', change: 'extra', live: '--v' }]);
  assert.deepEqual(compareObject({ kind: 'X', spec: { args: [] } }, { kind: 'X', spec: {} }), []);
  assert.deepEqual(compareObject({ kind: 'X', spec: { port: 80 } }, { kind: 'X', spec: { port: '80' } }), [{ path: 'spec.port', change: 'changed', recorded: 80, live: '80' }]);
  assert.deepEqual(compareObject({ kind: 'X', spec: { a: { b: 1 } } }, { kind: 'X', spec: { a: 'flat' } }), [{ path: 'spec.a', change: 'changed', recorded: { b: 1 }, live: 'flat' }]);
  // The last-applied annotation and server metadata are never compared, even when recorded.
  assert.deepEqual(
    compareObject(
      { kind: 'X', metadata: { name: 'a', uid: 'old', resourceVersion: '1', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }, status: { phase: 'x' } },
      { kind: 'X', metadata: { name: 'a', uid: 'new', resourceVersion: '9' }, status: { phase: 'y' } },
    ),
    [],
  );
});

test('quantities compare by value, only where Kubernetes stores quantities', () => {
  for (const [a, b] of [
    ['0.5', '500m'],
    [0.25, '250m'],
    ['1024Mi', '1Gi'],
    ['1e3', '1k'],
    ['1E3', 1000],
    ['1.5Gi', '1536Mi'],
    ['100000000n', '100m'],
    [1e21, '1000E'],
  ] as const) {
    assert.ok(sameQuantity(a, b), `${a} = ${b}`);
  }
  assert.ok(!sameQuantity('1Gi', '1G'));
  assert.ok(!sameQuantity('1', 'one'));
  assert.equal(parseQuantity('12x'), undefined);
  assert.equal(parseQuantity(''), undefined);
  // `1k` and `1000` are different strings in a ConfigMap.
  assert.deepEqual(compareObject({ kind: 'ConfigMap', data: { size: '1k' } }, { kind: 'ConfigMap', data: { size: '1000' } }).length, 1);
  assert.deepEqual(compareObject({ kind: 'PersistentVolumeClaim', spec: { resources: { requests: { storage: '1024Mi' } } } }, { kind: 'PersistentVolumeClaim', spec: { resources: { requests: { storage: '1Gi' } } } }), []);
});
