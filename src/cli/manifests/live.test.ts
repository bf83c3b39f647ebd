// `manifests diff --live` through the CLI: a cluster deployed on the simulated cloud with a
// user manifest, then read back over real SSH. The stack's recorded connection for the API
// node is pointed at a real sshd that holds that node's own host key and authorizes the
// stack's deploy key (the simulated cloud's addresses lead nowhere); the node's kubectl is the
// real kubectl with the node's admin kubeconfig, talking to a real kube-apiserver where the
// test applies the manifest as the deploy's step would (test/helpers/api-node.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_RECORD_TYPE, COMMAND_TYPE, MACHINE_RECORD_TYPE } from '../../cluster/index.ts';
import { openStateStore, reveal } from '../../state/index.ts';
import type { PropertyMap, ResourceState } from '../../state/index.ts';
import { registerSimulatedClouds } from '../../../test/provider/simulated-cloud.ts';
import { apiNodeMissing, startApiNode, type ApiNode } from '../../../test/helpers/api-node.ts';
import { startKubeApi, type KubeApi } from '../../../test/helpers/kube.ts';
import { HistoryEnv, PASSPHRASE } from '../history/testing.ts';

const skip = apiNodeMissing();
const fixtures = join(import.meta.dirname, '../../../test/fixtures/manifests/live');
const TOKEN = 'dop_v1_live_diff_planted_token_8c1e';
const PLANTED = ['hunter2-database', 'aHVudGVyMi1kYXRhYmFzZQ', 'sk_live_planted_value_91d2', 'c2tfbGl2ZV9wbGFudGVk', TOKEN, 'rotated-by-someone'];

const config = `
(cluster
  (metadata (name "live") (environment "test"))
  (providers (digitalocean (enabled true) (region "nyc3") (token (env "DIGITALOCEAN_TOKEN"))))
  (network (mode "wireguard") (wireguard (enabled true) (create true) (mesh-networking true)))
  (node-pools
    (masters (name "masters") (provider "digitalocean") (count 1) (roles master etcd) (size "s-2vcpu-4gb"))
    (workers (name "workers") (provider "digitalocean") (count 1) (roles worker) (size "s-2vcpu-4gb")))
  (kubernetes (distribution "rke2")))
`;

let unregister: () => void;
before(() => {
  unregister = registerSimulatedClouds();
});
after(() => unregister());

const nameOf = (r: ResourceState) => r.urn.slice(r.urn.lastIndexOf('::') + 2);
const text = (m: PropertyMap | undefined, k: string): string => {
  const v = m?.[k];
  return v === undefined ? '' : String(reveal(v));
};

let api: KubeApi;
before(async () => {
  if (skip) return;
  api = await startKubeApi();
});
after(async () => {
  await api?.stop();
});

/** What the deploy's manifest step does on the API node: the namespace, cert-manager's CRD, the manifest. */
function applyManifest(): void {
  for (const stdin of ['apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n', readFileSync(join(fixtures, 'certificate-crd.yaml'), 'utf8')]) {
    const r = api.kubectl(['apply', '-f', '-'], { stdin });
    assert.equal(r.code, 0, r.stderr);
  }
  assert.equal(api.kubectl(['wait', '--for=condition=Established', 'crd/certificates.cert-manager.io', '--timeout=30s']).code, 0);
  const r = api.kubectl(['apply', '-f', join(fixtures, 'app.yaml')]);
  assert.equal(r.code, 0, r.stderr);
}

/** Starts an sshd that is the API node as the stack knows it, and points the node's recorded steps at it. */
async function becomeApiNode(e: HistoryEnv, api: KubeApi, stack: string, node: string): Promise<ApiNode> {
  const store = await openStateStore({ env: e.env, homedir: e.dir, cwd: e.dir });
  try {
    const opened = await store.openStack(stack, { passphrase: async () => PASSPHRASE });
    const live = opened.deployment.resources.filter((r) => !r.delete);
    const cluster = live.find((r) => r.type === CLUSTER_RECORD_TYPE)!.inputs;
    const machine = live.find((r) => r.type === MACHINE_RECORD_TYPE && nameOf(r) === node)!.inputs;
    // The machine serves its own host key (installed by its first step), which the steps pin.
    const sshd = await startApiNode(api, { authorizedKey: text(cluster, 'deployPublicKey'), hostKey: { publicKey: text(machine, 'ownHostPublicKey'), privateKey: text(machine, 'ownHostPrivateKey') }, distribution: 'rke2' });
    const update = await opened.beginUpdate('update', 'test: the API node is this machine');
    for (const r of live.filter((x) => x.type === COMMAND_TYPE && text(x.inputs, 'machine') === node)) {
      const connection = { ...(reveal(r.inputs!.connection) as PropertyMap), host: sshd.host, port: sshd.port, user: sshd.user };
      await update.record([{ op: 'put', resource: { ...r, inputs: { ...r.inputs, connection } } }]);
    }
    await update.finish({ result: 'succeeded', resourceChanges: {} });
    return sshd;
  } finally {
    store.close();
  }
}

test('diff --live: in sync (exit 0), drift (exit 1, out_of_sync, audited), in sync again (applied); Secret values never shown', { skip, timeout: 180_000 }, async () => {
  const e = new HistoryEnv(undefined, { DIGITALOCEAN_TOKEN: TOKEN });
  let sshd: ApiNode | undefined;
  try {
    writeFileSync(join(e.dir, 'cluster.lisp'), config);
    copyFileSync(join(fixtures, 'app.yaml'), join(e.dir, 'web-app.yaml'));
    assert.equal((await e.run(['stacks', 'create', 'live'])).code, 0);
    const deployed = await e.run(['deploy', 'live', '--config', 'cluster.lisp', '--manifest', 'web-app.yaml', '--yes']);
    assert.equal(deployed.code, 0, deployed.stderr + deployed.stdout.slice(-2000));
    sshd = await becomeApiNode(e, api, 'live', 'masters-1');
    applyManifest();

    // In sync.
    let r = await e.run(['manifests', 'diff', 'live', 'web-app', '--live']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^user-web-app v1 \(sha256:[0-9a-f]{12}\) against the live cluster, read on masters-1:/);
    assert.match(r.stdout, /Deployment shop\/web: in sync\n/);
    assert.match(r.stdout, /user-web-app: all 5 objects match the cluster\. Status: applied\./);
    let rec = await e.records('live');
    assert.equal(rec.registry.manifests['user-web-app']!.status, 'applied');
    let last = rec.events.at(-1)!;
    assert.deepEqual([last.type, last.action, last.metadata.command, last.success], ['manifest', 'read', 'manifests diff', true]);
    assert.match(last.description, /compared with the live cluster on masters-1: in sync \(5 in sync, 0 differ, 0 missing\)/);

    // Drift: replicas scaled by hand, a Secret value rotated, the Service deleted.
    for (const args of [
      ['scale', 'deployment/web', '-n', 'shop', '--replicas=5'],
      ['patch', 'secret/web-credentials', '-n', 'shop', '-p', JSON.stringify({ data: { password: Buffer.from('rotated-by-someone').toString('base64') } })],
      ['delete', 'service/web', '-n', 'shop'],
    ]) {
      const k = api.kubectl(args);
      assert.equal(k.code, 0, k.stderr);
    }
    r = await e.run(['manifests', 'diff', 'live', 'web-app', '--live']);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /Deployment shop\/web: differs\n {2}- spec\.replicas: 2\n {2}\+ spec\.replicas: 5\n/);
    assert.match(r.stdout, /Secret shop\/web-credentials: differs\n {2}~ data\.password: the value differs \(Secret data, not shown\)\n/);
    assert.match(r.stdout, /Service shop\/web: missing from the cluster\n/);
    assert.match(r.stdout, /user-web-app is out of sync with the cluster: 2 of 5 objects differ, 1 missing from the cluster\. Status: applied → out_of_sync\./);
    assert.equal(r.stderr, '');
    for (const p of PLANTED) assert.ok(!r.stdout.includes(p) && !r.stderr.includes(p), `planted ${p} shown`);
    rec = await e.records('live');
    assert.equal(rec.registry.manifests['user-web-app']!.status, 'out_of_sync');
    const cmdEvents = rec.events.filter((x) => x.correlationId === rec.events.at(-1)!.correlationId);
    assert.deepEqual(
      cmdEvents.map((x) => [x.type, x.action, x.severity, x.success]),
      [
        ['manifest', 'validate', 'warning', true],
        ['manifest', 'read', 'warning', true],
      ],
    );
    assert.deepEqual([cmdEvents[0]!.oldValue, cmdEvents[0]!.newValue], [{ status: 'applied' }, { status: 'out_of_sync' }]);
    const eventText = JSON.stringify(rec.events);
    for (const p of [...PLANTED, text(rec.stack.deployment.resources.find((x) => x.type === CLUSTER_RECORD_TYPE)!.inputs, 'deployPrivateKey').split('\n')[1]!]) assert.ok(!eventText.includes(p), `planted ${p} in the audit log`);
    assert.ok(rec.verify.ok, rec.verify.problems.join('; '));
    const listed = await e.run(['manifests', 'list', 'live', '--status', 'out_of_sync', '--json']);
    assert.deepEqual((JSON.parse(listed.stdout) as { id: string }[]).map((m) => m.id), ['user-web-app']);

    // The same, as JSON: still out of sync, nothing new to record.
    r = await e.run(['manifests', 'diff', 'live', 'user-web-app', '--live', '--json']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout) as { inSync: boolean; counts: unknown; status: unknown; node: string; objects: { kind: string; state: string; differences: unknown[] }[] };
    assert.deepEqual([j.inSync, j.node, j.counts, j.status], [false, 'masters-1', { objects: 5, inSync: 2, differs: 2, missing: 1 }, { before: 'out_of_sync', after: 'out_of_sync', recorded: false }]);
    assert.deepEqual(j.objects.find((o) => o.kind === 'Secret')!.differences, [{ path: 'data.password', change: 'changed', secret: true }]);
    assert.deepEqual(j.objects.find((o) => o.kind === 'Deployment')!.differences, [{ path: 'spec.replicas', change: 'changed', recorded: 2, live: 5 }]);
    for (const p of PLANTED) assert.ok(!r.stdout.includes(p), `planted ${p} in --json`);

    // A Certificate whose CRD is gone: it is missing. (The node's kubectl still has the kind in
    // its discovery cache, so it finds no object rather than no kind; the "no kind" reason, from
    // a fresh kubectl, is pinned in src/cluster/remote/node-command.test.ts.)
    assert.equal(api.kubectl(['delete', 'crd/certificates.cert-manager.io', '--wait=true']).code, 0);
    r = await e.run(['manifests', 'diff', 'live', 'web-app', '--live']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /Certificate shop\/web-tls: missing from the cluster/);

    // kubectl failing for another reason: exit 2, kubectl's words, the status as it was.
    writeFileSync(sshd.tokenFile, 'revoked');
    r = await e.run(['manifests', 'diff', 'live', 'web-app', '--live']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: kubectl on the API node masters-1 failed \(exit 1\):\nerror: You must be logged in to the server \(Unauthorized\)\nCheck the cluster's API server on masters-1 \(RKE2: systemctl status rke2-server/);
    assert.equal(r.stdout, '');
    rec = await e.records('live');
    assert.equal(rec.registry.manifests['user-web-app']!.status, 'out_of_sync');
    last = rec.events.at(-1)!;
    assert.deepEqual([last.action, last.success], ['read', false]);

    // Back in sync: applied again, on record.
    writeFileSync(sshd.tokenFile, sshd.token);
    applyManifest();
    r = await e.run(['manifests', 'diff', 'live', 'web-app', '--live']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Status: out_of_sync → applied\./);
    rec = await e.records('live');
    assert.equal(rec.registry.manifests['user-web-app']!.status, 'applied');
    assert.deepEqual(rec.events.at(-2)!.newValue, { status: 'applied' });

    // What cannot be compared with the cluster, and flags that do not go with --live.
    r = await e.run(['manifests', 'diff', 'live', 'rke2-config-masters-1', '--live']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rke2-config-masters-1 is the RKE2 configuration file of node masters-1, not Kubernetes objects/);
    r = await e.run(['manifests', 'diff', 'live', 'web-app', '--live', '--from', 'v1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--live compares the current version with the cluster; --from and --to compare two recorded versions/);

    // The API node unreachable: exit 2, what to check.
    sshd.stop();
    sshd = undefined;
    r = await e.run(['manifests', 'diff', 'live', 'web-app', '--live']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error: cannot reach masters-1 over SSH to read the live objects: cannot reach masters-1 \(127\.0\.0\.1:\d+\): (ECONNREFUSED|ECONNRESET)\nCheck that masters-1 is running/);
    assert.equal((await e.records('live')).registry.manifests['user-web-app']!.status, 'applied');
  } finally {
    sshd?.stop();
    e.cleanup();
  }
});

test('diff --live with no API node: a stack never deployed, and one deployed with --no-bootstrap', { timeout: 120_000 }, async () => {
  const e = new HistoryEnv(undefined, { DIGITALOCEAN_TOKEN: TOKEN });
  try {
    writeFileSync(join(e.dir, 'cluster.lisp'), config);
    copyFileSync(join(fixtures, 'app.yaml'), join(e.dir, 'web-app.yaml'));
    assert.equal((await e.run(['stacks', 'create', 'bare'])).code, 0);
    let r = await e.run(['manifests', 'diff', 'bare', 'web-app', '--live']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "error: stack 'bare' records no API node to read the live objects from: it was never deployed, or deployed with --no-bootstrap (no Kubernetes installed)\nDeploy the cluster with Kubernetes first: sloth-kubernetes deploy bare --config FILE\n");
    const d = await e.run(['deploy', 'bare', '--config', 'cluster.lisp', '--no-bootstrap', '--yes']);
    assert.equal(d.code, 0, d.stderr);
    r = await e.run(['manifests', 'diff', 'bare', 'web-app', '--live']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /records no API node/);
    const rec = await e.records('bare');
    const last = rec.events.at(-1)!;
    assert.deepEqual([last.type, last.action, last.metadata.command, last.success], ['manifest', 'read', 'manifests diff', false]);
  } finally {
    e.cleanup();
  }
});
