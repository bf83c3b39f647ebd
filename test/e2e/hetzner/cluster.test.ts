// A Hetzner-only cluster end to end, with the CLI as real processes against the stand-in
// behind `prism proxy` with the Hetzner Cloud OpenAPI contract: three masters in a spread
// placement group behind the API load balancer (on the private network, targeting the masters
// by label), two workers, firewalls by label selector. Deploy, deploy again with no changing
// call, scale the workers, notice a server deleted behind our back (refresh) and put it back,
// destroy to nothing. Pre-flight problems stop a deploy before anything is made.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runProcess, type CliResult } from '../../helpers/cli.ts';
import { startHetznerApi, type HetznerApi } from '../../standins/hetzner/harness.ts';
import { matches } from '../../standins/hetzner/server.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'hetzner.lisp');
const EMPTY = { servers: 0, networks: 0, subnets: 0, keys: 0, placementGroups: 0, firewalls: 0, loadBalancers: 0 };

describe('a Hetzner Cloud cluster', { timeout: 600_000 }, () => {
  let api: HetznerApi;
  let dir: string;
  let env: Record<string, string | undefined>;

  before(async () => {
    api = await startHetznerApi({ actionMs: 60 });
    dir = mkdtempSync(join(tmpdir(), 'sloth-hetzner-e2e-'));
    env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'hetzner-e2e', SLOTH_OPERATOR_CIDRS: '198.51.100.7/32', CI: 'true', ...api.env });
  });
  after(async () => {
    await api?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function sloth(args: string[]): Promise<CliResult> {
    const r = await runProcess(args, { env });
    assert.equal(r.code, 0, `sloth ${args.join(' ')} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    assert.ok(!(r.stdout + r.stderr).includes(api.env.HCLOUD_TOKEN!), 'the token never shows');
    return r;
  }

  const summary = /Resources: (\d+) created, (\d+) updated, (\d+) replaced, (\d+) deleted, (\d+) unchanged/;
  function counts(r: CliResult): number[] {
    const m = summary.exec(r.stdout);
    assert.ok(m, `no summary in:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    return m.slice(1).map(Number);
  }

  function config(name: string, edit: (text: string) => string = (t) => t): string {
    const path = join(dir, name);
    writeFileSync(path, edit(readFileSync(FIXTURE, 'utf8')));
    return path;
  }

  it('deploys the cluster: servers, network, placement group, firewalls, load balancer', async () => {
    await sloth(['stacks', 'create', 'hz-ha']);
    api.standin.failNext(2, { status: 429, match: /^POST \/networks$/, resetSeconds: 1 });
    api.standin.failNext(1, { status: 423, match: /^POST \/load_balancers\/\d+\/actions\/add_service$/, body: { error: { code: 'locked', message: 'load balancer is locked', details: {} } } });
    const first = await sloth(['deploy', '-c', config('hetzner.lisp'), '--no-bootstrap', '--yes']);
    assert.deepEqual(counts(first).slice(1, 4), [0, 0, 0]);
    assert.deepEqual(api.standin.inventory(), { servers: 5, networks: 1, subnets: 1, keys: 1, placementGroups: 1, firewalls: 2, loadBalancers: 1 });
    const servers = [...api.standin.servers.values()];
    const masters = servers.filter((s) => s.name.startsWith('masters-'));
    const group = [...api.standin.placementGroups.values()][0]!;
    assert.ok(masters.every((s) => s.placementGroup === group.id), 'the masters share the spread group');
    assert.ok(servers.filter((s) => s.name.startsWith('workers-')).every((s) => s.placementGroup === undefined));
    assert.ok(servers.every((s) => s.networks.length === 1 && /^10\.30\./.test(s.networks[0]!.ip)), 'every server on the private network');
    assert.ok(servers.every((s) => /^#cloud-config/.test(s.userData ?? '')));
    const lb = [...api.standin.loadBalancers.values()][0]!;
    assert.equal(lb.networks.length, 1);
    assert.deepEqual(lb.services.map((s) => s.listen_port), [6443]);
    assert.equal(lb.targets.length, 1);
    assert.deepEqual(servers.filter((s) => matches(s.labels, lb.targets[0]!.selector)).map((s) => s.name).sort(), ['masters-1', 'masters-2', 'masters-3'], 'the balancer targets the masters by label');
    for (const f of api.standin.firewalls.values()) assert.ok(servers.some((s) => f.selectors.some((sel) => matches(s.labels, sel))), `firewall ${f.name} applies to servers`);
  });

  it('deploys again with no change and no changing call', async () => {
    const mark = api.standin.log.length;
    const again = await sloth(['deploy', '-c', config('hetzner.lisp'), '--no-bootstrap', '--yes']);
    if (!/^No changes\.$/m.test(again.stdout)) assert.deepEqual(counts(again).slice(0, 4), [0, 0, 0, 0]);
    assert.deepEqual(api.standin.changes(mark), []);
  });

  it('scales the workers from two to three: one server, nothing else', async () => {
    const mark = api.standin.log.length;
    const ids = [...api.standin.servers.keys()];
    const scaled = await sloth(['deploy', '-c', config('hetzner-3.lisp', (t) => t.replace(/\(count 2\)/, '(count 3)')), '--no-bootstrap', '--yes']);
    assert.deepEqual(counts(scaled).slice(2, 4), [0, 0]);
    assert.ok(ids.every((id) => api.standin.servers.has(id)));
    assert.equal(api.standin.inventory().servers, 6);
    assert.deepEqual(api.standin.changes(mark).filter((c) => !c.startsWith('POST /firewalls/#/actions/set_rules')), ['POST /servers']);
  });

  it('notices a server deleted behind its back, and puts it back', async () => {
    const victim = [...api.standin.servers.values()].find((s) => s.name === 'workers-3')!;
    api.standin.servers.delete(victim.id);
    const refreshed = await runProcess(['refresh', 'hz-ha'], { env });
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.match(refreshed.stdout + refreshed.stderr, /workers-3/);
    const healed = await sloth(['deploy', '-c', join(dir, 'hetzner-3.lisp'), '--no-bootstrap', '--yes']);
    assert.ok(counts(healed)[0] >= 1);
    assert.ok([...api.standin.servers.values()].some((s) => s.name === 'workers-3' && s.id !== victim.id));
  });

  it('destroys everything', async () => {
    await sloth(['destroy', 'hz-ha', '--yes']);
    assert.deepEqual(api.standin.inventory(), EMPTY);
    await api.prism.assertClean({ expectTraffic: true });
  });

  it('pre-flight: a type not offered in the location and an unknown image stop the deploy before anything is made', async () => {
    await sloth(['stacks', 'create', 'hz-bad']);
    const bad = config('bad.lisp', (t) => t.replace('(name "hz-ha")', '(name "hz-bad")').replace('(location "fsn1")', '(location "ash")').replace('(size "cx22")', '(size "cx22")\n      (image (id "ubuntu-99.04"))'));
    const mark = api.standin.log.length;
    const r = await runProcess(['deploy', 'hz-bad', '-c', bad, '--no-bootstrap', '--yes'], { env });
    assert.notEqual(r.code, 0);
    const text = r.stdout + r.stderr;
    assert.match(text, /server type 'cx22' is not offered in location 'ash' \(also masters-2, masters-3\)/);
    assert.match(text, /image 'ubuntu-99\.04' does not exist for x86 servers/);
    assert.match(text, /Nothing was created/i);
    const none = await runProcess(['deploy', 'hz-bad', '-c', bad, '--no-bootstrap', '--yes'], { env: { ...env, HCLOUD_TOKEN: undefined } });
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /no Hetzner Cloud API token: set HCLOUD_TOKEN/);
    assert.deepEqual(api.standin.changes(mark), [], 'no call that changes anything');
    assert.deepEqual(api.standin.inventory(), EMPTY);
    await api.prism.assertClean();
  });
});
