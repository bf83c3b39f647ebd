// The DigitalOcean path end to end, with the CLI as real processes against the stand-in behind
// `prism proxy` with DigitalOcean's OpenAPI contract: the seed's Development Cluster and a
// multi-node variant (API load balancer, DNS in a DigitalOcean zone) deploy (infrastructure
// only: the stand-in's droplets are not machines), deploy again with no change and no
// changing call, scale without touching what exists, notice a droplet deleted behind our back
// (refresh) and put it back, and destroy, leaving the account as it was. Any request or
// answer that breaks DigitalOcean's contract fails the run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runProcess, type CliResult } from '../../helpers/cli.ts';
import { startDoApi, type DoApi } from '../../standins/digitalocean/harness.ts';

const seeds = join(import.meta.dirname, '../../fixtures/config/seeds');
const fixtures = join(import.meta.dirname, 'fixtures');
const EMPTY = { droplets: 0, vpcs: 0, keys: 0, tags: 0, firewalls: 0, loadBalancers: 0, records: 0 };

let api: DoApi;
let dir: string;
let env: Record<string, string | undefined>;

before(async () => {
  api = await startDoApi({ domains: ['example.com'], actionMs: 120, loadBalancerMs: 250 });
  dir = mkdtempSync(join(tmpdir(), 'sloth-do-e2e-'));
  env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'do-e2e-passphrase', SLOTH_OPERATOR_CIDRS: '198.51.100.7/32', CI: 'true', ...api.env });
});
after(async () => {
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function sloth(args: string[]): Promise<CliResult> {
  const r = await runProcess(args, { env });
  assert.equal(r.code, 0, `sloth ${args.join(' ')} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  assert.doesNotMatch(r.stdout + r.stderr, new RegExp(api.env.DIGITALOCEAN_TOKEN!), 'the token never shows');
  return r;
}

/** Calls that change something in the account, made since `from` in the stand-in's log. */
function changes(from: number): string[] {
  return api.standin.log.slice(from).filter((e) => e.method !== 'GET').map((e) => `${e.method} ${e.path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{6,}/g, '#')}`);
}

function config(source: string, name: string, edit: (text: string) => string = (t) => t): string {
  const path = join(dir, name);
  writeFileSync(path, edit(readFileSync(source, 'utf8')));
  return path;
}

/** A deploy with nothing to do stops after the preview ("No changes."), or applies nothing. */
function assertNoChanges(r: CliResult): void {
  if (/^No changes\.$/m.test(r.stdout)) return;
  assert.deepEqual(counts(r).slice(0, 4), [0, 0, 0, 0]);
}

const summary = /Resources: (\d+) created, (\d+) updated, (\d+) replaced, (\d+) deleted, (\d+) unchanged/;
function counts(r: CliResult): number[] {
  const m = summary.exec(r.stdout);
  assert.ok(m, `no summary in:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  return m.slice(1).map(Number);
}

test("the seed's Development Cluster: deploy, again with no change, scale, destroy", async () => {
  await sloth(['stacks', 'create', 'dev-cluster']);
  const seed = config(join(seeds, 'development.lisp'), 'development.lisp');
  // The API pushes back on the way: rate-limited twice (waited out by the client) and two
  // server errors (retried by the engine).
  api.standin.failNext(2, { status: 429, match: /^POST \/v2\/tags$/, resetSeconds: 1 });
  api.standin.failNext(2, { status: 500, match: /^POST \/v2\/vpcs$/ });
  const first = await sloth(['deploy', '-c', seed, '--no-bootstrap', '--yes']);
  assert.equal(counts(first)[0], 11);
  assert.equal(api.standin.log.filter((e) => e.status === 429 || e.status === 500).length, 4);
  assert.deepEqual(api.standin.inventory(), { droplets: 1, vpcs: 1, keys: 1, tags: 4, firewalls: 1, loadBalancers: 0, records: 0 });
  const [node] = [...api.standin.droplets.values()];
  assert.equal(node!.name, 'dev-node-1');
  assert.equal(node!.size, 's-4vcpu-8gb');
  assert.equal(node!.region, 'nyc3');
  assert.match(node!.userData ?? '', /^#cloud-config/);
  assert.equal(api.standin.vpcs.get(node!.vpc)!.ipRange, '10.10.0.0/16');
  const out = await sloth(['stacks', 'output', 'dev-cluster', '--show-secrets', '--json']);
  assert.equal(JSON.parse(out.stdout).nodes['dev-node-1'].publicAddress, node!.publicIp);

  let mark = api.standin.log.length;
  assertNoChanges(await sloth(['deploy', '-c', seed, '--no-bootstrap', '--yes']));
  assert.deepEqual(changes(mark), [], 'a deploy with nothing to do changes nothing');

  // Scale out with a worker pool of two: two droplets, nothing else touched in the account.
  // (Growing the master pool instead would add the API load balancer, whose firewall rule is
  // written into every node's user-data, and so replace the existing node.)
  mark = api.standin.log.length;
  const grown = config(join(seeds, 'development.lisp'), 'development-workers.lisp', (t) =>
    t.replace('(size "s-4vcpu-8gb")))', '(size "s-4vcpu-8gb"))\n    (workers (provider "digitalocean") (count 2) (roles worker) (size "s-2vcpu-4gb")))'),
  );
  const scaled = await sloth(['deploy', '-c', grown, '--no-bootstrap', '--yes']);
  assert.deepEqual(counts(scaled).slice(2, 4), [0, 0], `nothing replaced or deleted:\n${scaled.stdout.split('\n').filter((l) => /replace|delete/.test(l)).join('\n')}`);
  assert.equal(api.standin.droplets.get(node!.id)?.name, 'dev-node-1', 'the first node is the same droplet');
  assert.equal(api.standin.inventory().droplets, 3);
  assert.deepEqual(changes(mark).filter((c) => !c.startsWith('POST /v2/tags')).sort(), ['POST /v2/droplets', 'POST /v2/droplets', 'POST /v2/firewalls']);

  await sloth(['destroy', 'dev-cluster', '--yes']);
  assert.deepEqual(api.standin.inventory(), EMPTY);
  await api.prism.assertClean({ expectTraffic: true });
});

test('a multi-node cluster with a load balancer and DNS: deploy, again, scale, refresh, destroy', async () => {
  await sloth(['stacks', 'create', 'do-ha']);
  const base = config(join(fixtures, 'multi-node.lisp'), 'multi-node.lisp');
  const first = await sloth(['deploy', '-c', base, '--no-bootstrap', '--yes']);
  assert.deepEqual(counts(first).slice(1, 4), [0, 0, 0]);
  assert.deepEqual(api.standin.inventory(), { droplets: 5, vpcs: 1, keys: 1, tags: 9, firewalls: 2, loadBalancers: 1, records: 6 });
  const lb = [...api.standin.loadBalancers.values()][0]!;
  const records = [...api.standin.domains.get('example.com')!.values()];
  assert.deepEqual(records.find((r) => r.name === 'api'), { id: records.find((r) => r.name === 'api')!.id, type: 'A', name: 'api', data: lb.ip, ttl: 300 });
  const masters = [...api.standin.droplets.values()].filter((d) => d.name.startsWith('masters-'));
  assert.ok(masters.every((m) => m.tags.includes(lb.tag)), 'the balancer targets the masters by tag');
  assert.deepEqual(records.filter((r) => r.name !== 'api').map((r) => r.name).sort(), ['masters-1', 'masters-2', 'masters-3', 'workers-1', 'workers-2']);
  const fw = [...api.standin.firewalls.values()].find((f) => /etcd-master/.test(f.name))!;
  assert.ok(fw.inbound.some((r) => r.ports === '6443' && ((r.sources?.load_balancer_uids as string[] | undefined) ?? []).includes(lb.id)), 'the API port is open to the balancer');

  let mark = api.standin.log.length;
  assertNoChanges(await sloth(['deploy', '-c', base, '--no-bootstrap', '--yes']));
  assert.deepEqual(changes(mark), []);

  // Scale the workers from 2 to 3: one droplet and its record, nothing else changes in the account.
  mark = api.standin.log.length;
  const three = config(join(fixtures, 'multi-node.lisp'), 'multi-node-3.lisp', (t) => t.replace(/\(count 2\)/, '(count 3)'));
  const scaled = await sloth(['deploy', '-c', three, '--no-bootstrap', '--yes']);
  assert.deepEqual(counts(scaled).slice(1, 4), [0, 0, 0]);
  assert.deepEqual(changes(mark), ['POST /v2/droplets', 'POST /v2/domains/example.com/records']);
  assert.equal(api.standin.inventory().droplets, 6);

  // A droplet deleted behind our back: refresh reports it gone, the next deploy puts it back.
  const victim = [...api.standin.droplets.values()].find((d) => d.name === 'workers-3')!;
  api.standin.droplets.delete(victim.id);
  const refreshed = await runProcess(['refresh', 'do-ha'], { env });
  assert.equal(refreshed.code, 0, refreshed.stderr);
  assert.match(refreshed.stdout + refreshed.stderr, /workers-3/);
  const healed = await sloth(['deploy', '-c', three, '--no-bootstrap', '--yes']);
  assert.ok(counts(healed)[0] >= 1);
  assert.ok([...api.standin.droplets.values()].some((d) => d.name === 'workers-3' && d.id !== victim.id));

  // A firewall rule opened to the world behind our back: refresh stores the drift, the next
  // deploy puts the configured rule back (one PUT), and nothing else.
  const wall = [...api.standin.firewalls.values()].find((f) => /etcd-master/.test(f.name))!;
  const before = structuredClone(wall.inbound);
  wall.inbound = wall.inbound.map((r) => (r.ports === '6443' ? { ...r, sources: { addresses: ['0.0.0.0/0'] } } : r));
  const drift = await runProcess(['refresh', 'do-ha'], { env });
  assert.equal(drift.code, 0, drift.stderr);
  assert.match(drift.stdout, /do-ha-fw-digitalocean-etcd-master/);
  mark = api.standin.log.length;
  const restored = await sloth(['deploy', '-c', three, '--no-bootstrap', '--yes']);
  assert.deepEqual(counts(restored).slice(0, 4), [0, 1, 0, 0]);
  assert.deepEqual(changes(mark), ['PUT /v2/firewalls/#']);
  assert.deepEqual(wall.inbound, before);

  await sloth(['destroy', 'do-ha', '--yes']);
  assert.deepEqual(api.standin.inventory(), EMPTY);
  await api.prism.assertClean({ expectTraffic: true });
});

test('a lost stack rebuilt by refresh --config finds the droplet (which needs the SSH key found in the same run); the next deploy changes nothing in the account', async () => {
  await sloth(['stacks', 'create', 'dev-lost']);
  const seed = config(join(seeds, 'development.lisp'), 'dev-lost.lisp', (t) => t.replace(/\(name "[^"]+"\)/, '(name "dev-lost")'));
  await sloth(['deploy', '-c', seed, '--no-bootstrap', '--yes']);
  const deployed = api.standin.inventory();
  const droplets = [...api.standin.droplets.values()].map((d) => `${d.id} ${d.name}`);
  await sloth(['stacks', 'delete', 'dev-lost', '--force', '--yes']);
  await sloth(['stacks', 'create', 'dev-lost']);

  let mark = api.standin.log.length;
  const r = await sloth(['refresh', '-c', seed, '--no-bootstrap']);
  assert.doesNotMatch(r.stdout + r.stderr, /not found in the cloud|not looked up/);
  assert.match(r.stdout, /^= {2}digitalocean:index\/sshKey:SshKey \S+: found \d+/m);
  assert.match(r.stdout, /^= {2}digitalocean:index\/droplet:Droplet dev-node-1: found \d+/m);
  assert.deepEqual(changes(mark), [], 'a refresh changes nothing in the account');

  mark = api.standin.log.length;
  const next = await sloth(['deploy', '-c', seed, '--no-bootstrap', '--yes']);
  assert.match(next.stdout, /No changes\./);
  assert.deepEqual(changes(mark), []);
  assert.deepEqual(api.standin.inventory(), deployed);
  assert.deepEqual([...api.standin.droplets.values()].map((d) => `${d.id} ${d.name}`), droplets, 'one dev-node-1, the same droplet');

  await sloth(['destroy', 'dev-lost', '--yes']);
  assert.deepEqual(api.standin.inventory(), EMPTY);
  await api.prism.assertClean({ expectTraffic: true });
});

test('pre-flight: a size the region does not offer and a zone not in the account stop the deploy before anything is made', async () => {
  await sloth(['stacks', 'create', 'do-bad']);
  const bad = config(join(fixtures, 'multi-node.lisp'), 'bad.lisp', (t) =>
    t.replace('(name "do-ha")', '(name "do-bad")').replace('(size "s-4vcpu-8gb")', '(size "gd-2vcpu-8gb")').replace('(region "nyc3")', '(region "lon1")').replace('(domain "example.com")', '(domain "not-ours.example")'),
  );
  const mark = api.standin.log.length;
  const r = await runProcess(['deploy', 'do-bad', '-c', bad, '--no-bootstrap', '--yes'], { env });
  assert.notEqual(r.code, 0);
  const text = r.stdout + r.stderr;
  assert.match(text, /digitalocean workers-1.*size 'gd-2vcpu-8gb' is not offered in region 'lon1' \(also workers-2\)/);
  assert.match(text, /the DNS zone 'not-ours\.example' is not in this DigitalOcean account/);
  assert.match(text, /Nothing was created/i);
  // No token anywhere, or one the API refuses: one problem each, saying where to put it.
  const none = await runProcess(['deploy', 'do-bad', '-c', bad, '--no-bootstrap', '--yes'], { env: { ...env, DIGITALOCEAN_TOKEN: undefined } });
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /no DigitalOcean API token: set DIGITALOCEAN_TOKEN/);
  const refused = await runProcess(['deploy', 'do-bad', '-c', bad, '--no-bootstrap', '--yes'], { env: { ...env, DIGITALOCEAN_TOKEN: 'dop_v1_revoked_token' } });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /DigitalOcean refused the API token \(401 unauthorized/);
  assert.doesNotMatch(refused.stdout + refused.stderr, /dop_v1_revoked_token/);
  assert.deepEqual(changes(mark), [], 'no call that changes anything');
  assert.deepEqual(api.standin.inventory(), EMPTY);
  await api.prism.assertClean();
});
