// The GCP path end to end, with the CLI as real processes against the GCP stand-in, which
// matches every Compute Engine request to its RPC and checks query, body and answer against
// the protobuf descriptors of @google-cloud/compute: an HA cluster (three masters behind the
// regional load balancer, workers, Cloud DNS records) deploys (infrastructure only),
// deploys again with no change and no changing call, scales without touching what exists,
// notices an instance deleted behind our back (refresh) and puts it back, puts a widened
// firewall rule back, and destroys, leaving the project as it was. A lost stack is rebuilt
// by refresh --config with the deploy key the instances hold. Pre-flight failures stop a
// deploy first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runProcess, type CliResult } from '../../helpers/cli.ts';
import { missing } from '../../helpers/parts.ts';
import { startGcpApi, type GcpApi } from '../../standins/gcp/harness.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'gcp-ha.lisp');
const skip = missing('openssl');
const EMPTY = { network: 0, subnetwork: 0, firewall: 0, instance: 0, address: 0, targetPool: 0, forwardingRule: 0, record: 0 };

let api: GcpApi;
let dir: string;
let env: Record<string, string | undefined>;

before(async () => {
  if (skip) return;
  api = await startGcpApi({ zones: ['example.com'], operationMs: 50 });
  dir = mkdtempSync(join(tmpdir(), 'sloth-gcp-e2e-'));
  env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'gcp-e2e-passphrase', SLOTH_OPERATOR_CIDRS: '198.51.100.7/32', CI: 'true', ...api.env });
});
after(async () => {
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function sloth(args: string[]): Promise<CliResult> {
  const r = await runProcess(args, { env });
  assert.equal(r.code, 0, `sloth ${args.join(' ')} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r;
}

/** Calls that change something in the project, made since `from` (operation waits and token exchanges aside). */
function changes(from: number): string[] {
  return api.standin.log
    .slice(from)
    .filter((e) => e.method !== 'GET' && !/\/wait$/.test(e.path) && e.path !== '/token')
    .map((e) => `${e.method} ${e.path.replace(/\?.*$/, '').replace(/^\/compute\/v1\/projects\/[^/]+\//, '').replace(/^\/dns\/v1\/projects\/[^/]+\//, 'dns:')}`);
}

function config(name: string, edit: (text: string) => string = (t) => t): string {
  const path = join(dir, name);
  writeFileSync(path, edit(readFileSync(FIXTURE, 'utf8')));
  return path;
}

const summary = /Resources: (\d+) created, (\d+) updated, (\d+) replaced, (\d+) deleted, (\d+) unchanged/;
function counts(r: CliResult): number[] {
  const m = summary.exec(r.stdout);
  assert.ok(m, `no summary in:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  return m.slice(1).map(Number);
}
function assertNoChanges(r: CliResult): void {
  if (/^No changes\.$/m.test(r.stdout)) return;
  assert.deepEqual(counts(r).slice(0, 4), [0, 0, 0, 0]);
}

test('an HA cluster on GCP: deploy, again with no change, scale, refresh, destroy', { skip, timeout: 600_000 }, async () => {
  await sloth(['stacks', 'create', 'gc-ha']);
  const base = config('gcp-ha.lisp');
  // GCP pushes back on the way: rate-limited once and a server error, both retried by the engine.
  api.standin.failNext(1, { status: 429, match: /^POST .*\/global\/networks$/ });
  api.standin.failNext(1, { status: 503, match: /^POST .*\/subnetworks$/ });
  const first = await sloth(['deploy', '-c', base, '--no-bootstrap', '--yes']);
  assert.deepEqual(counts(first).slice(1, 4), [0, 0, 0]);
  assert.deepEqual(api.standin.inventory(), { network: 1, subnetwork: 1, firewall: 5, instance: 5, address: 1, targetPool: 1, forwardingRule: 1, record: 6 });
  const vm = api.standin.of('instance').find((o) => o.body.name === 'gc-ha-gc-ha-masters-1')!;
  assert.ok(vm, api.standin.of('instance').map((o) => o.body.name).join(', '));
  assert.match(api.standin.userDataOf('gc-ha-gc-ha-masters-1') ?? '', /^#cloud-config/);
  const items = (vm.body.metadata as { items: { key: string; value: string }[] }).items;
  assert.match(items.find((i) => i.key === 'ssh-keys')!.value, /^sloth:ssh-ed25519 /);
  assert.match((vm.body.labels as Record<string, string>)['sloth-urn'] ?? '', /^[0-9a-f]{32}$/, 'adoption label');
  const pool = api.standin.of('targetPool')[0]!;
  assert.equal((pool.body.instances as string[]).length, 3, 'the masters are the pool');
  const address = api.standin.of('address')[0]!.body.address as string;
  assert.equal(api.standin.of('forwardingRule')[0]!.body.IPAddress, address);
  assert.deepEqual(api.standin.records.get('example.com|api.example.com.|A')?.rrdatas, [address]);
  const out = JSON.parse((await sloth(['stacks', 'output', 'gc-ha', '--show-secrets', '--json'])).stdout) as { nodes: Record<string, { publicAddress: string }> };
  assert.equal(out.nodes['masters-1']!.publicAddress, (vm.body.networkInterfaces as { accessConfigs: { natIP: string }[] }[])[0]!.accessConfigs[0]!.natIP);

  let mark = api.standin.log.length;
  assertNoChanges(await sloth(['deploy', '-c', base, '--no-bootstrap', '--yes']));
  assert.deepEqual(changes(mark), [], 'a deploy with nothing to do changes nothing');

  // Scale the workers from 2 to 3: an instance and its record; nothing else.
  mark = api.standin.log.length;
  const three = config('gcp-ha-3.lisp', (t) => t.replace(/\(count 2\)/, '(count 3)'));
  const scaled = await sloth(['deploy', '-c', three, '--no-bootstrap', '--yes']);
  assert.deepEqual(counts(scaled).slice(1, 4), [0, 0, 0]);
  assert.deepEqual(changes(mark).sort(), ['POST dns:managedZones/example-com/changes', 'POST zones/us-central1-b/instances']);
  assert.equal(api.standin.inventory().instance, 6);

  // An instance deleted behind our back: refresh reports it gone, the next deploy puts it back.
  const victim = api.standin.of('instance').find((o) => o.body.name === 'gc-ha-gc-ha-workers-3')!;
  api.standin.objects.delete(`${victim.scope}/instances/${String(victim.body.name)}`);
  const refreshed = await runProcess(['refresh', 'gc-ha'], { env });
  assert.equal(refreshed.code, 0, refreshed.stderr);
  assert.match(refreshed.stdout + refreshed.stderr, /workers-3/);
  const healed = await sloth(['deploy', '-c', three, '--no-bootstrap', '--yes']);
  assert.ok(counts(healed)[0] >= 1);
  assert.ok(api.standin.of('instance').some((o) => o.body.name === 'gc-ha-gc-ha-workers-3' && o.body.id !== victim.body.id));

  // The API rule opened to the world behind our back: refresh stores the drift, the next
  // deploy puts the configured ranges back with one update.
  const rule = api.standin.of('firewall').find((o) => String(o.body.name).endsWith('kube-api'))!;
  const ranges = structuredClone(rule.body.sourceRanges);
  rule.body.sourceRanges = ['0.0.0.0/0'];
  const drift = await runProcess(['refresh', 'gc-ha'], { env });
  assert.equal(drift.code, 0, drift.stderr);
  mark = api.standin.log.length;
  const restored = await sloth(['deploy', '-c', three, '--no-bootstrap', '--yes']);
  assert.deepEqual(counts(restored).slice(0, 4), [0, 1, 0, 0]);
  assert.deepEqual(changes(mark), [`PUT global/firewalls/${String(rule.body.name)}`]);
  assert.deepEqual(api.standin.of('firewall').find((o) => o.body.name === rule.body.name)!.body.sourceRanges, ranges);

  await sloth(['destroy', 'gc-ha', '--yes']);
  assert.deepEqual(api.standin.inventory(), EMPTY);
  api.standin.assertClean();
});

test('a lost stack rebuilt by refresh --config finds every object, and takes the deploy key the instances hold; the next deploy changes nothing', { skip, timeout: 600_000 }, async () => {
  await sloth(['stacks', 'create', 'gc-lost']);
  const base = config('gcp-lost.lisp', (t) => t.replace('(name "gc-ha")', '(name "gc-lost")'));
  await sloth(['deploy', '-c', base, '--no-bootstrap', '--yes']);
  const deployed = api.standin.inventory();
  const instances = () => api.standin.of('instance').map((v) => `${String(v.body.id)} ${(v.body.metadata as { items: { key: string; value: string }[] }).items.find((i) => i.key === 'ssh-keys')!.value}`);
  const held = instances();
  await sloth(['stacks', 'delete', 'gc-lost', '--force', '--yes']);
  await sloth(['stacks', 'create', 'gc-lost']);

  let mark = api.standin.log.length;
  const r = await sloth(['refresh', '-c', base, '--no-bootstrap']);
  assert.doesNotMatch(r.stdout + r.stderr, /not found in the cloud|not looked up/);
  assert.match(r.stdout, /^= {2}gcp:compute\/instance:Instance masters-1: found \S+/m);
  assert.deepEqual(changes(mark), [], 'a refresh changes nothing in the project');
  const exported = JSON.parse((await sloth(['stacks', 'export', 'gc-lost'])).stdout) as { deployment: { resources: { type: string; inputs?: Record<string, unknown> }[] } };
  const recorded = exported.deployment.resources.filter((x) => x.type === 'gcp:compute/instance:Instance').map((x) => `${String(x.inputs!.sshUser)}:${String(x.inputs!.sshPublicKey)}`);
  assert.deepEqual(new Set(recorded), new Set(held.map((h) => h.split(' ').slice(1).join(' '))), 'the rebuilt stack records the key the instances hold');

  mark = api.standin.log.length;
  assertNoChanges(await sloth(['deploy', '-c', base, '--no-bootstrap', '--yes']));
  assert.deepEqual(changes(mark), []);
  assert.deepEqual(api.standin.inventory(), deployed);
  assert.deepEqual(instances(), held, 'the same instances, holding the same key');

  await sloth(['destroy', 'gc-lost', '--yes']);
  assert.deepEqual(api.standin.inventory(), EMPTY);
  api.standin.assertClean();
});

test('pre-flight: a machine type the zone lacks, an image that does not exist and a zone not in Cloud DNS stop the deploy before anything is made', { skip, timeout: 120_000 }, async () => {
  await sloth(['stacks', 'create', 'gc-bad']);
  const bad = config('bad.lisp', (t) =>
    t
      .replace('(name "gc-ha")', '(name "gc-bad")')
      .replace('(region "us-central1")', '(region "us-central1") (zone "us-central1-f")')
      .replace('(size "e2-standard-2")', '(size "n2-standard-8")')
      .replace('(size "e2-medium")', '(size "e2-medium") (image "projects/ubuntu-os-cloud/global/images/family/ubuntu-9904-lts")')
      .replace('(domain "example.com")', '(domain "not-ours.example")'),
  );
  const mark = api.standin.log.length;
  const r = await runProcess(['deploy', 'gc-bad', '-c', bad, '--no-bootstrap', '--yes'], { env });
  assert.notEqual(r.code, 0);
  const text = r.stdout + r.stderr;
  assert.match(text, /machine type 'n2-standard-8' is not offered in zone us-central1-f \(also workers-2\)/);
  assert.match(text, /image 'projects\/ubuntu-os-cloud\/global\/images\/family\/ubuntu-9904-lts' does not exist \(also masters-2, masters-3\)/);
  assert.match(text, /no Cloud DNS managed zone for 'not-ours\.example\.'/);
  assert.match(text, /Nothing was created/i);
  // No credentials at all, or no project: one problem each, saying what to set.
  const none = await runProcess(['deploy', 'gc-bad', '-c', bad, '--no-bootstrap', '--yes'], { env: { ...env, GOOGLE_APPLICATION_CREDENTIALS: undefined } });
  assert.notEqual(none.code, 0);
  assert.match(none.stdout + none.stderr, /no usable GCP credentials/);
  const noProject = await runProcess(['deploy', 'gc-bad', '-c', bad, '--no-bootstrap', '--yes'], { env: { ...env, GOOGLE_CLOUD_PROJECT: undefined } });
  assert.notEqual(noProject.code, 0);
  assert.match(noProject.stderr, /no GCP project: set \(project-id/);
  assert.deepEqual(changes(mark), [], 'no call that changes anything');
  assert.equal(api.standin.inventory().network, 0);
  api.standin.assertClean();
});
