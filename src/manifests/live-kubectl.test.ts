// The output this package parses, produced by the real kubectl against a real kube-apiserver
// (test/helpers/kube.ts): `kubectl get -f - -o json --ignore-not-found` with a recorded manifest
// on stdin. Pins what the diff relies on: a List in manifest order, absent objects left out with
// exit 0, a kind the cluster lacks as exit 1 with the others printed, and a manifest applied by
// kubectl reading back in sync (server defaults, canonical quantities and metadata ignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffWithLive, kubectlGetItems, unknownKinds } from './index.ts';
import { kubeApiMissing, startKubeApi, type KubeApi } from '../../test/helpers/kube.ts';

const skip = kubeApiMissing();
const fixtures = join(import.meta.dirname, '../../test/fixtures/manifests/live');
const manifest = readFileSync(join(fixtures, 'app.yaml'), 'utf8');

let api: KubeApi;
before(async () => {
  if (skip) return;
  api = await startKubeApi();
});
after(async () => {
  await api?.stop();
});

/** `kubectl get` as the diff runs it, with a discovery cache of its own (a kubectl that never saw the cluster). */
function kubectlGet(): { code: number; stdout: string; stderr: string } {
  return api.kubectl(['--cache-dir', mkdtempSync(join(api.dir, 'cache-')), 'get', '-f', '-', '-o', 'json', '--ignore-not-found'], { stdin: manifest });
}

function apply(stdin: string): void {
  const r = api.kubectl(['apply', '-f', '-'], { stdin });
  assert.equal(r.code, 0, r.stderr);
}

test('real kubectl output: every object read back in manifest order, absent ones left out, unknown kinds reported', { skip, timeout: 60_000 }, () => {
  // Nothing there at all: empty output, exit 0.
  apply('apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
  apply(readFileSync(join(fixtures, 'certificate-crd.yaml'), 'utf8'));
  assert.equal(api.kubectl(['wait', '--for=condition=Established', 'crd/certificates.cert-manager.io', '--timeout=30s']).code, 0);
  let r = kubectlGet();
  assert.deepEqual([r.code, r.stdout], [0, ''], r.stderr);
  assert.deepEqual(diffWithLive(manifest, kubectlGetItems(r.stdout)).counts, { objects: 5, inSync: 0, differs: 0, missing: 5 });

  // Everything applied by kubectl: in sync, despite what the server adds and rewrites.
  apply(manifest);
  r = kubectlGet();
  assert.equal(r.code, 0, r.stderr);
  const live = kubectlGetItems(r.stdout);
  assert.deepEqual(live.map((o) => o.kind), ['Deployment', 'ConfigMap', 'Secret', 'Service', 'Certificate']);
  const inSync = diffWithLive(manifest, live);
  assert.equal(inSync.inSync, true, JSON.stringify(inSync.objects.filter((o) => o.state !== 'in-sync')));
  assert.ok(JSON.stringify(live).includes('"cpu":"250m"'), 'the server canonicalised the quantity the manifest wrote as 0.25');

  // The Service deleted: left out, exit 0.
  assert.equal(api.kubectl(['delete', 'service/web', '-n', 'shop']).code, 0);
  r = kubectlGet();
  assert.equal(r.code, 0, r.stderr);
  let d = diffWithLive(manifest, kubectlGetItems(r.stdout), r.code === 0 ? [] : unknownKinds(r.stderr));
  assert.deepEqual(d.objects.map((o) => o.state), ['in-sync', 'in-sync', 'in-sync', 'missing', 'in-sync']);

  // cert-manager not installed: kubectl exits 1, prints the rest, and names the kind.
  apply(manifest);
  assert.equal(api.kubectl(['delete', 'crd/certificates.cert-manager.io', '--wait=true']).code, 0);
  r = kubectlGet();
  assert.equal(r.code, 1);
  const unknown = unknownKinds(r.stderr);
  assert.deepEqual(unknown, [{ kind: 'Certificate', apiVersion: 'cert-manager.io/v1' }], r.stderr); // an item of a List: kubectl names no object
  d = diffWithLive(manifest, kubectlGetItems(r.stdout), unknown);
  assert.deepEqual(d.objects.map((o) => o.state), ['in-sync', 'in-sync', 'in-sync', 'in-sync', 'missing']);
  assert.match(d.objects[4]!.reason!, /no kind Certificate/);
});
