// The seed's Multi-Cloud HA example end to end, with the CLI as real processes: AWS on moto,
// DigitalOcean and Linode on their stand-ins behind `prism proxy` with each vendor's OpenAPI
// contract. One plan, one WireGuard mesh across three clouds (infrastructure only: emulated
// machines are not machines): deploy, deploy again with no changing call, scale the Linode
// masters, notice an instance deleted behind our back (refresh) and put it back, destroy to
// nothing on every cloud. Any request or answer that breaks a contract fails the run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runProcess, type CliResult } from '../../helpers/cli.ts';
import { MOTO_MISSING, motoAvailable, startAwsEmulator, type AwsEmulator } from '../aws/moto-aws.ts';
import { AWS_TYPES, counts as awsCounts, inventory as awsInventory } from '../aws/inventory.ts';
import { startDoApi, type DoApi } from '../../standins/digitalocean/harness.ts';
import { startLinodeApi, type LinodeApi } from '../../standins/linode/harness.ts';

const SEED = join(import.meta.dirname, '../../fixtures/config/seeds/multi-cloud-ha.lisp');
const OPERATOR = '198.51.100.7/32';

describe("the seed's Multi-Cloud HA example (AWS + DigitalOcean + Linode)", { skip: motoAvailable() ? false : MOTO_MISSING, timeout: 900_000 }, () => {
  let aws: AwsEmulator;
  let digitalocean: DoApi;
  let linode: LinodeApi;
  let dir: string;
  let env: Record<string, string | undefined>;

  before(async () => {
    [aws, digitalocean, linode] = await Promise.all([startAwsEmulator().then((e) => e!), startDoApi({ actionMs: 80, loadBalancerMs: 150 }), startLinodeApi({ bootMs: 80 })]);
    dir = mkdtempSync(join(tmpdir(), 'sloth-multicloud-e2e-'));
    env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'multicloud-e2e', SLOTH_OPERATOR_CIDRS: OPERATOR, CI: 'true', ...aws.env, ...digitalocean.env, ...linode.env });
  });
  after(async () => {
    await Promise.allSettled([aws?.stop(), digitalocean?.stop(), linode?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function sloth(args: string[]): Promise<CliResult> {
    const r = await runProcess(args, { env });
    assert.equal(r.code, 0, `sloth ${args.join(' ')} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    for (const token of [digitalocean.env.DIGITALOCEAN_TOKEN!, linode.env.LINODE_TOKEN!]) assert.ok(!(r.stdout + r.stderr).includes(token), 'no token shows');
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
    writeFileSync(path, edit(readFileSync(SEED, 'utf8')));
    return path;
  }

  /** Calls that change something in the stand-ins since the marks. */
  const marks = () => ({ do: digitalocean.standin.log.length, linode: linode.standin.log.length });
  const changed = (m: { do: number; linode: number }) => [...linode.standin.changes(m.linode), ...digitalocean.standin.log.slice(m.do).filter((e) => e.method !== 'GET').map((e) => `${e.method} ${e.path}`)];

  it('deploys one plan on three clouds, with one mesh across them', async () => {
    await sloth(['stacks', 'create', 'multi-cloud-ha']);
    const seed = config('multi-cloud-ha.lisp');
    // Linode pushes back on the way: rate-limited twice (waited out by the client), then a
    // server error (retried by the engine).
    linode.standin.failNext(2, { status: 429, match: /^POST \/v4\/vpcs$/, resetSeconds: 1 });
    linode.standin.failNext(1, { status: 503, match: /^POST \/v4\/linode\/instances$/ });
    const first = await sloth(['deploy', '-c', seed, '--no-bootstrap', '--yes']);
    assert.deepEqual(counts(first).slice(1, 4), [0, 0, 0]);
    assert.deepEqual(linode.standin.inventory(), { instances: 1, vpcs: 1, subnets: 1, keys: 1, firewalls: 1, nodeBalancers: 0, configs: 0, nodes: 0, records: 0 });
    assert.equal(digitalocean.standin.inventory().droplets, 1);
    const aws1 = awsCounts(await awsInventory(aws.endpoint));
    assert.equal(aws1['aws:ec2/instance:Instance'], 6);
    assert.equal(aws1['aws:lb/loadBalancer:LoadBalancer'], 1, 'the API load balancer is on the first master\'s cloud');

    const [node] = [...linode.standin.instances.values()];
    assert.equal(node!.label, 'linode-masters-1');
    assert.equal(node!.type, 'g6-standard-2');
    assert.equal(node!.region, 'us-east');
    assert.match(node!.userData ?? '', /^#cloud-config/);
    assert.match(node!.privateIp ?? '', /^192\.168\./);
    assert.ok(node!.vpc, 'on the VPC subnet');

    // The mesh: Linode's firewall lets WireGuard in from the other clouds' machines by address.
    const droplet = [...digitalocean.standin.droplets.values()][0]!;
    const fw = [...linode.standin.firewalls.values()][0]!;
    const wg = (fw.rules.inbound as { protocol: string; ports?: string; addresses: { ipv4?: string[] } }[]).filter((r) => r.protocol === 'UDP');
    const sources = wg.flatMap((r) => r.addresses.ipv4 ?? []);
    assert.ok(sources.includes(`${droplet.publicIp}/32`), `the DigitalOcean master may reach Linode over WireGuard (${sources.join(', ')})`);
    assert.ok((fw.rules.inbound as { addresses: { ipv4?: string[] } }[]).some((r) => r.addresses.ipv4?.includes(OPERATOR)), 'SSH from the operator');
    assert.deepEqual([...fw.devices.values()].map((d) => d.linode), [node!.id], 'the firewall holds the instance');
    const out = JSON.parse((await sloth(['stacks', 'output', 'multi-cloud-ha', '--show-secrets', '--json'])).stdout) as { nodes: Record<string, { publicAddress: string; meshAddress?: string }> };
    assert.equal(out.nodes['linode-masters-1']!.publicAddress, node!.publicIp);
    assert.equal(Object.keys(out.nodes).length, 8);
  });

  it('deploys again with no change and no changing call', async () => {
    const m = marks();
    const again = await sloth(['deploy', '-c', config('multi-cloud-ha.lisp'), '--no-bootstrap', '--yes']);
    if (!/^No changes\.$/m.test(again.stdout)) assert.deepEqual(counts(again).slice(0, 4), [0, 0, 0, 0]);
    assert.deepEqual(changed(m), []);
  });

  it('scales the Linode masters from one to three without replacing anything', async () => {
    const before = [...linode.standin.instances.keys()];
    const m = marks();
    const three = config('multi-cloud-ha-3.lisp', (t) => t.replace(/(\(name "linode-masters"\)\s*\(provider "linode"\)\s*)\(count 1\)/, '$1(count 3)'));
    const scaled = await sloth(['deploy', '-c', three, '--no-bootstrap', '--yes']);
    const [, , replaced, deleted] = counts(scaled);
    assert.deepEqual([replaced, deleted], [0, 0], scaled.stdout.split('\n').filter((l) => /replac|delet/.test(l)).join('\n'));
    assert.equal(linode.standin.inventory().instances, 3);
    assert.ok(before.every((id) => linode.standin.instances.has(id)), 'the first instance is the same');
    const calls = linode.standin.changes(m.linode);
    assert.equal(calls.filter((c) => c === 'POST /v4/linode/instances').length, 2);
    assert.ok(calls.includes('POST /v4/networking/firewalls/#/devices'), `the new instances join the firewall (${calls.join(', ')})`);
    const fw = [...linode.standin.firewalls.values()][0]!;
    assert.equal(fw.devices.size, 3);
  });

  it('notices an instance deleted behind its back, and puts it back', async () => {
    const victim = [...linode.standin.instances.values()].find((i) => i.label === 'linode-masters-2')!;
    linode.standin.instances.delete(victim.id);
    for (const f of linode.standin.firewalls.values()) for (const [k, d] of f.devices) if (d.linode === victim.id) f.devices.delete(k);
    const refreshed = await runProcess(['refresh', 'multi-cloud-ha'], { env });
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.match(refreshed.stdout + refreshed.stderr, /linode-masters-2/);
    const healed = await sloth(['deploy', '-c', join(dir, 'multi-cloud-ha-3.lisp'), '--no-bootstrap', '--yes']);
    assert.ok(counts(healed)[0] >= 1);
    const back = [...linode.standin.instances.values()].find((i) => i.label === 'linode-masters-2');
    assert.ok(back && back.id !== victim.id, 'a new instance in its place');
    assert.equal([...linode.standin.firewalls.values()][0]!.devices.size, 3, 'and in the firewall again');
  });

  it('destroys everything on every cloud', async () => {
    await sloth(['destroy', 'multi-cloud-ha', '--yes']);
    assert.deepEqual(linode.standin.inventory(), { instances: 0, vpcs: 0, subnets: 0, keys: 0, firewalls: 0, nodeBalancers: 0, configs: 0, nodes: 0, records: 0 });
    assert.deepEqual(digitalocean.standin.inventory(), { droplets: 0, vpcs: 0, keys: 0, tags: 0, firewalls: 0, loadBalancers: 0, records: 0 });
    assert.deepEqual(awsCounts(await awsInventory(aws.endpoint)), Object.fromEntries(AWS_TYPES.map((t) => [t, 0])));
    await linode.prism.assertClean({ expectTraffic: true });
    await digitalocean.prism.assertClean({ expectTraffic: true });
  });
});
