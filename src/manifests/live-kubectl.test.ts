// The output this package parses, produced by a real kubectl: `kubectl get -f - -o json
// --ignore-not-found` with a recorded manifest on stdin, against a stand-in API server (no
// Kubernetes API server runs here; the stand-in serves discovery and the objects of
// app.live.json, read-only). Pins what the diff relies on: a List in manifest order, absent
// objects left out with exit 0, a kind the cluster lacks as exit 1 with the others printed.
// Skipped where kubectl is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffWithLive, kubectlGetItems, unknownKinds } from './index.ts';
import type { KubeObject } from './index.ts';

const kubectlMissing = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0 ? undefined : 'kubectl is not installed';
const fixtures = join(import.meta.dirname, '../../test/fixtures/manifests/live');
const manifest = readFileSync(join(fixtures, 'app.yaml'), 'utf8');

const RESOURCES: Record<string, { plural: string; kind: string; namespaced: boolean }[]> = {
  v1: [
    { plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { plural: 'secrets', kind: 'Secret', namespaced: true },
    { plural: 'services', kind: 'Service', namespaced: true },
    { plural: 'namespaces', kind: 'Namespace', namespaced: false },
  ],
  'apps/v1': [{ plural: 'deployments', kind: 'Deployment', namespaced: true }],
  'cert-manager.io/v1': [{ plural: 'certificates', kind: 'Certificate', namespaced: true }],
};

/** A read-only stand-in API server: legacy discovery and GET of single objects. */
async function standInApi(objects: KubeObject[], groupVersions: string[]): Promise<{ url: string; methods: string[]; server: Server }> {
  const byPath = new Map<string, KubeObject>();
  for (const o of objects) {
    const gv = String(o.apiVersion);
    const r = RESOURCES[gv]!.find((x) => x.kind === o.kind)!;
    const meta = o.metadata as { name: string; namespace?: string };
    byPath.set(`${gv === 'v1' ? '/api/v1' : `/apis/${gv}`}${r.namespaced ? `/namespaces/${meta.namespace}` : ''}/${r.plural}/${meta.name}`, o);
  }
  const methods: string[] = [];
  const server = createServer((req, res) => {
    methods.push(req.method ?? '');
    const path = (req.url ?? '').split('?')[0]!;
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const groups = groupVersions.filter((gv) => gv !== 'v1');
    if (path === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
    if (path === '/apis') {
      return send(200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map((gv) => ({ name: gv.split('/')[0], versions: [{ groupVersion: gv, version: gv.split('/')[1] }], preferredVersion: { groupVersion: gv, version: gv.split('/')[1] } })),
      });
    }
    const gv = groupVersions.find((x) => path === (x === 'v1' ? '/api/v1' : `/apis/${x}`));
    if (gv) {
      return send(200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: gv,
        resources: RESOURCES[gv]!.map((r) => ({ name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'list'] })),
      });
    }
    const obj = byPath.get(path);
    if (obj && req.method === 'GET') return send(200, obj);
    send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `${path} not found`, reason: 'NotFound', code: 404 });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, methods, server };
}

function kubectlGet(dir: string, server: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n`,
    { mode: 0o600 },
  );
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'get', '-f', '-', '-o', 'json', '--ignore-not-found'], { env: { PATH: process.env.PATH, HOME: dir } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(manifest);
  });
}

test('real kubectl output: every object read back in manifest order, absent ones left out, unknown kinds reported', { skip: kubectlMissing, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-kubectl-'));
  const live = kubectlGetItems(readFileSync(join(fixtures, 'app.live.json'), 'utf8'));
  const servers: Server[] = [];
  try {
    // Everything there: in sync.
    let api = await standInApi(live, Object.keys(RESOURCES));
    servers.push(api.server);
    let r = await kubectlGet(dir, api.url);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(kubectlGetItems(r.stdout).map((o) => o.kind), ['Deployment', 'ConfigMap', 'Secret', 'Service', 'Certificate']);
    assert.equal(diffWithLive(manifest, kubectlGetItems(r.stdout)).inSync, true);
    assert.ok(api.methods.every((m) => m === 'GET'), 'kubectl get only reads');

    // The Service deleted: left out, exit 0.
    api = await standInApi(live.filter((o) => o.kind !== 'Service'), Object.keys(RESOURCES));
    servers.push(api.server);
    r = await kubectlGet(dir, api.url);
    assert.equal(r.code, 0, r.stderr);
    let d = diffWithLive(manifest, kubectlGetItems(r.stdout), r.code === 0 ? [] : unknownKinds(r.stderr));
    assert.deepEqual(d.objects.map((o) => o.state), ['in-sync', 'in-sync', 'in-sync', 'missing', 'in-sync']);

    // cert-manager not installed: kubectl exits 1, prints the rest, and names the kind.
    api = await standInApi(live.filter((o) => o.kind !== 'Certificate'), ['v1', 'apps/v1']);
    servers.push(api.server);
    r = await kubectlGet(dir, api.url);
    assert.equal(r.code, 1);
    const unknown = unknownKinds(r.stderr);
    assert.deepEqual(unknown, [{ kind: 'Certificate', apiVersion: 'cert-manager.io/v1' }], r.stderr); // an item of a List: kubectl names no object
    d = diffWithLive(manifest, kubectlGetItems(r.stdout), unknown);
    assert.deepEqual(d.objects.map((o) => o.state), ['in-sync', 'in-sync', 'in-sync', 'in-sync', 'missing']);
    assert.match(d.objects[4]!.reason!, /no kind Certificate/);

    // Nothing there at all: empty output, exit 0.
    api = await standInApi([], Object.keys(RESOURCES));
    servers.push(api.server);
    r = await kubectlGet(dir, api.url);
    assert.deepEqual([r.code, r.stdout], [0, ''], r.stderr);
    assert.deepEqual(diffWithLive(manifest, kubectlGetItems(r.stdout)).counts, { objects: 5, inSync: 0, differs: 0, missing: 5 });
  } finally {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
