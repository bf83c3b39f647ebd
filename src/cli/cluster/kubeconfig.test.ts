// kubeconfig and kubectl through the CLI, against a real kube-apiserver: a cluster deployed on
// the simulated cloud, whose recorded kubeconfig is then the API server's (in the shape RKE2
// writes: cluster, user and context all `default`). The merged kubeconfig is read back by the
// real `kubectl config view`; kubectl runs for real.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerSimulatedClouds } from '../../../test/provider/simulated-cloud.ts';
import { kubeApiMissing, startKubeApi, type KubeApi } from '../../../test/helpers/kube.ts';
import { ClusterObjects } from '../../../test/helpers/kube-objects.ts';
import { pointStackAt } from '../../../test/helpers/deployed-stack.ts';
import { PEERS_BIN, which } from '../../../test/helpers/parts.ts';
import { HistoryEnv, PASSPHRASE, SIM_CLI } from '../history/testing.ts';

const skip = kubeApiMissing();
const TOKEN = 'dop_v1_kubeconfig_test_token_51f0';
const config = `
(cluster
  (metadata (name "demo") (environment "test"))
  (providers (digitalocean (enabled true) (region "nyc3") (token (env "DIGITALOCEAN_TOKEN"))))
  (network (mode "wireguard") (wireguard (enabled true) (create true) (mesh-networking true)))
  (node-pools
    (masters (name "masters") (provider "digitalocean") (count 1) (roles master etcd) (size "s-2vcpu-4gb"))
    (workers (name "workers") (provider "digitalocean") (count 2) (roles worker) (size "s-2vcpu-4gb")))
  (kubernetes (distribution "rke2")))
`;

const USER_KUBECONFIG = `# my clusters — keep this comment
apiVersion: v1
kind: Config
clusters:
- name: other
  cluster:
    server: https://other.example:6443
users:
- name: other
  user:
    token: other-token-kept
contexts:
- name: other
  context:
    cluster: other
    user: other
    namespace: tools
current-context: other
preferences:
  colors: true
`;

let api: KubeApi;
let e: HistoryEnv;
let unregister = () => {};
before(async () => {
  if (skip) return;
  unregister = registerSimulatedClouds();
  api = await startKubeApi();
  const k = new ClusterObjects(api);
  for (const n of ['masters-1', 'workers-1', 'workers-2']) await k.node(n);
  e = new HistoryEnv(undefined, { DIGITALOCEAN_TOKEN: TOKEN, PATH: `${PEERS_BIN}:${process.env.PATH}`, TMPDIR: '' });
  e.env.TMPDIR = join(e.dir, 'tmp');
  mkdirSync(e.env.TMPDIR);
  writeFileSync(join(e.dir, 'cluster.lisp'), config);
  assert.equal((await e.run(['stacks', 'create', 'demo'])).code, 0);
  const d = await e.run(['deploy', 'demo', '--config', 'cluster.lisp', '--yes']);
  assert.equal(d.code, 0, d.stderr + d.stdout.slice(-2000));
  await pointStackAt(e, 'demo', PASSPHRASE, { kubeconfig: api.kubeconfigYaml(api.admin, 'default') });
});
after(async () => {
  unregister();
  e?.cleanup();
  await api?.stop();
});

const kubectlView = (file: string) => {
  const r = api.kubectl(['config', 'view', '--kubeconfig', file, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { 'current-context': string; contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[]; clusters: { name: string; cluster: { server: string } }[]; users: { name: string }[]; preferences: unknown };
};

test('kubeconfig: printed under the stack name, written 0600, each on record; kubectl uses it', { skip, timeout: 180_000 }, async () => {
  const r = await e.run(['kubeconfig', 'demo']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^apiVersion: v1\nkind: Config\nclusters:\n {2}- name: demo\n/);
  assert.match(r.stdout, /current-context: demo\n/);
  assert.ok(r.stdout.includes(`server: ${api.server}`));
  assert.equal(r.stderr, '');

  const file = join(e.dir, 'demo.yaml');
  const w = await e.run(['kubeconfig', 'demo', '-o', 'demo.yaml']);
  assert.equal(w.code, 0, w.stderr);
  assert.equal(w.stdout, `Wrote the kubeconfig of stack 'demo' to ${file} (mode 0600): context 'demo', server ${api.server}.\n`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const nodes = api.kubectl(['get', 'nodes', '-o', 'name'], { kubeconfig: file });
  assert.equal(nodes.stdout, 'node/masters-1\nnode/workers-1\nnode/workers-2\n');
  // The backend's only stack: no name needed (seed: `sloth-kubernetes kubectl get nodes`).
  const only = await e.run(['kubectl', 'get', 'nodes', '-o', 'name']);
  assert.deepEqual([only.code, only.stdout], [0, nodes.stdout]);

  const rec = await e.records('demo');
  const reads = rec.events.filter((x) => x.metadata.command === 'kubeconfig');
  assert.deepEqual(reads.map((x) => [x.type, x.action, x.severity, x.success, x.description]), [
    ['state', 'read', 'warning', true, "kubeconfig of stack 'demo' printed"],
    ['state', 'read', 'warning', true, `kubeconfig of stack 'demo' written to ${file}`],
  ]);
  const key = api.admin.clientKey.split('\n')[1]!;
  assert.ok(!JSON.stringify(rec.events).includes(key) && !JSON.stringify(rec.events).includes(Buffer.from(api.admin.clientKey).toString('base64').slice(0, 40)));
});

test('kubeconfig --merge keeps every other entry, the comment and the current context; --use and --context; KUBECONFIG first path', { skip, timeout: 120_000 }, async () => {
  const home = join(e.dir, '.kube');
  mkdirSync(home, { recursive: true });
  const file = join(home, 'config');
  writeFileSync(file, USER_KUBECONFIG, { mode: 0o644 });

  let r = await e.run(['kubeconfig', 'demo', '--merge']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `Added context 'demo' (server ${api.server}) in ${file}.\nCurrent context: other (unchanged); use this one with: kubectl --context demo get nodes\n`);
  let view = kubectlView(file);
  assert.equal(view['current-context'], 'other');
  // kubectl lists them by name.
  assert.deepEqual(view.contexts.map((c) => c.name), ['demo', 'other']);
  assert.deepEqual(view.contexts[1], { name: 'other', context: { cluster: 'other', user: 'other', namespace: 'tools' } });
  assert.deepEqual(view.clusters.map((c) => [c.name, c.cluster.server]), [['demo', api.server], ['other', 'https://other.example:6443']]);
  assert.deepEqual(view.preferences, { colors: true });
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^# my clusters — keep this comment\n/);
  assert.match(text, /token: other-token-kept/);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(api.kubectl(['--context', 'demo', 'get', 'nodes', '-o', 'name'], { kubeconfig: file }).code, 0);

  // Again, as the current context, under another name.
  r = await e.run(['kubeconfig', 'demo', '--merge', '--use', '--context', 'demo-admin']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Current context: demo-admin \(was other\)\.\n$/);
  view = kubectlView(file);
  assert.deepEqual([view['current-context'], view.contexts.map((c) => c.name)], ['demo-admin', ['demo', 'demo-admin', 'other']]);
  assert.equal(api.kubectl(['get', '--raw', '/readyz'], { kubeconfig: file }).stdout, 'ok');
  // The same name again replaces its entries, nothing else.
  r = await e.run(['kubeconfig', 'demo', '--merge']);
  assert.match(r.stdout, /^Replaced context 'demo'/);
  view = kubectlView(file);
  assert.deepEqual([view['current-context'], view.contexts.length, view.users.length, view.clusters.length], ['demo-admin', 3, 3, 3]);

  // KUBECONFIG's first path; a new file there gets the context as its current one.
  const first = join(e.dir, 'first.yaml');
  r = await e.run(['kubeconfig', 'demo', '--merge'], { env: { KUBECONFIG: `${first}:${file}` } });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(kubectlView(first).contexts.map((c) => c.name), ['demo']);
  assert.equal(kubectlView(first)['current-context'], 'demo');

  // --json for scripts.
  r = await e.run(['kubeconfig', 'demo', '--merge', '-o', first, '--json']);
  assert.deepEqual(JSON.parse(r.stdout), { stack: 'demo', context: 'demo', server: api.server, from: { kind: 'stack' }, path: first, replaced: ['cluster', 'user', 'context'], currentContext: 'demo' });
});

test('kubeconfig: nothing in the user\'s kubeconfig is lost when it cannot be merged; bad flags and a stack with no cluster are one clear line', { skip, timeout: 120_000 }, async () => {
  const broken = join(e.dir, 'broken.yaml');
  const bad = 'apiVersion: v1\nclusters:\n- name: x\n  cluster: {server: "unterminated\n';
  writeFileSync(broken, bad);
  let r = await e.run(['kubeconfig', 'demo', '--merge', '-o', broken]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^error: ${broken.replace(/[.]/g, '\\.')}:\\d+:\\d+ is not valid YAML \\(.*\\); it was left as it is\\nFix the file, or merge into another one with --merge -o FILE\\.\\n$`));
  assert.equal(readFileSync(broken, 'utf8'), bad);
  writeFileSync(broken, '- a\n- b\n');
  r = await e.run(['kubeconfig', 'demo', '--merge', '-o', broken]);
  assert.match(r.stderr, /is not a kubeconfig \(its top level is not a mapping\); it was left as it is/);
  assert.equal(readFileSync(broken, 'utf8'), '- a\n- b\n');
  writeFileSync(broken, 'clusters: {a: 1}\n');
  r = await e.run(['kubeconfig', 'demo', '--merge', '-o', broken]);
  assert.match(r.stderr, /'clusters' is not a list/);
  assert.equal(readFileSync(broken, 'utf8'), 'clusters: {a: 1}\n');
  assert.deepEqual(readdirSync(e.dir).filter((f) => f.includes('.sloth-')), [], 'no temporary file left');

  r = await e.run(['kubeconfig', 'demo', '--use']);
  assert.deepEqual([r.code, r.stderr], [1, 'error: --use makes the merged context current: it needs --merge\n']);
  r = await e.run(['kubeconfig', 'demo', '--context', 'bad name']);
  assert.deepEqual([r.code, r.stderr], [1, "error: 'bad name' cannot name a kubeconfig context\nUse letters, digits and . _ @ : - (starting with a letter or digit).\n"]);

  assert.equal((await e.run(['stacks', 'create', 'empty'])).code, 0);
  r = await e.run(['kubeconfig', 'empty']);
  assert.deepEqual([r.code, r.stdout], [1, '']);
  assert.equal(r.stderr, "error: stack 'empty' holds no kubeconfig: it was never deployed with Kubernetes (a deploy with --no-bootstrap installs none), or its cluster was destroyed\nDeploy the cluster first: sloth-kubernetes deploy empty --config FILE\n");
  r = await e.run(['kubectl', 'empty', 'get', 'nodes']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: stack 'empty' holds no kubeconfig/);
  r = await e.run(['kubeconfig', 'nope']);
  assert.match(r.stderr, /^error: stack 'nope' not found/);
});

test('kubectl: arguments passed through, exit status passed back, the temporary kubeconfig removed; the only stack by default; a missing kubectl is 127', { skip, timeout: 120_000 }, async () => {
  let r = await e.run(['kubectl', 'demo', 'get', 'nodes', '-o', 'name']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'node/masters-1\nnode/workers-1\nnode/workers-2\n');
  r = await e.run(['kubectl', 'demo', '--', 'get', 'ns', 'default', '-o', 'jsonpath={.metadata.name}', '-v=0']);
  assert.deepEqual([r.code, r.stdout], [0, 'default']);
  r = await e.run(['kubectl', 'demo', 'apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-stdin, namespace: default}\ndata: {a: "1"}\n' });
  assert.deepEqual([r.code, r.stdout], [0, 'configmap/from-stdin created\n']);
  r = await e.run(['kubectl', 'demo', 'get', 'pod', 'nope']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error from server (NotFound): pods "nope" not found\n', 'kubectl speaks for itself; nothing is added');
  assert.deepEqual(readdirSync(e.env.TMPDIR!), [], 'the temporary kubeconfig is gone');
  const used = (await e.records('demo')).events.filter((x) => x.metadata.command === 'kubectl');
  assert.deepEqual(used.map((x) => x.description).slice(0, 2), ["kubeconfig of stack 'demo' used by kubectl get", "kubeconfig of stack 'demo' used by kubectl get"]);
  assert.ok(!used.some((x) => x.description.includes('from-stdin')));

  // Two stacks now ('empty' from the test before): the first word must name one.
  r = await e.run(['kubectl', 'get', 'nodes']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "error: 'get' is not a stack of this backend, which has 2: name the one to use first\nStacks: demo, empty. For example: sloth-kubernetes kubectl demo -- get nodes\n");

  r = await e.run(['kubectl', 'demo', 'get', 'nodes'], { env: { PATH: '/nonexistent' } });
  assert.deepEqual([r.code, r.stdout], [127, '']);
  assert.match(r.stderr, /^error: kubectl not found: it is not on PATH\nInstall kubectl/);
  r = await e.run(['kubectl', 'demo', 'get', 'nodes'], { env: { SLOTH_KUBECTL: join(e.dir, 'no-kubectl') } });
  assert.equal(r.code, 127);
  assert.match(r.stderr, /SLOTH_KUBECTL names .*no-kubectl, which is not an executable file/);
});

test('kubectl: a signal to sloth-kubernetes reaches kubectl; its status comes back and the temporary kubeconfig is removed', { skip, timeout: 120_000 }, async () => {
  const tmp = join(e.dir, 'tmp-signal');
  mkdirSync(tmp);
  chmodSync(tmp, 0o700);
  const child = spawn(process.execPath, [SIM_CLI, 'kubectl', 'demo', 'get', 'nodes', '--watch', '-o', 'name'], { env: { ...e.env, TMPDIR: tmp } as NodeJS.ProcessEnv, cwd: e.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('node/workers-2') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(out.includes('node/workers-2'), out);
  const file = join(tmp, readdirSync(tmp)[0]!, 'kubeconfig');
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the temporary kubeconfig is 0600 while kubectl runs');
  child.kill('SIGTERM');
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  // sloth-kubernetes did not die of the signal: it passed it on, and kubectl's own status (a
  // watch stopped by SIGTERM ends with 1) came back once kubectl had ended.
  assert.deepEqual([code, signal], [1, null], out);
  assert.ok(!existsSync(file));
  assert.deepEqual(readdirSync(tmp), []);
  assert.ok(which('kubectl'));
});
