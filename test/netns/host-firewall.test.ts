// The generated host firewall loaded into a real kernel (nftables, inside a network
// namespace) and probed with real TCP connections, in both deliveries: the baseline that
// user-data installs (SSH only) and the full rule set the machine's `host-<m>` step installs
// and re-applies when the rules change. With the full set, on a physical interface only the
// machine's public services answer, and only to the allowed sources (SSH, the deploy's own
// way in, is left to the cloud firewall: see firewall/rules.ts `deployAccess`); over a
// non-physical interface (standing in for WireGuard) the cluster-internal ports answer.
//
// A namespace has no NIC with a backing device, so the one test-only change to the
// generated script is where it looks for devices: a directory that lists `pub0` as
// physical and `wgsim` as not. Everything else runs exactly as generated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { NetnsLab, netnsSkipReason } from './harness.ts';
import { planCluster } from '../../src/cluster/plan.ts';
import { HOST_FIREWALL_PATH } from '../../src/cluster/bootstrap/host-firewall.ts';
import { nodesOf, sampleModel } from '../../src/cluster/testing/arbitraries.ts';
import type { ClusterModel } from '../../src/cluster/model.ts';
import { missing } from '../helpers/parts.ts';

const skip = netnsSkipReason() ?? missing('nft');

/** A single-master cluster (no load balancer, so the API rule names its sources), allowing 192.0.2.2. */
function clusterModel(extra: Partial<ClusterModel['network']> = {}): ClusterModel {
  const model = sampleModel({ nodes: nodesOf([{ name: 'masters', provider: 'aws', region: 'us-east-1', count: 1, roles: ['master', 'etcd'], publicAddress: true }]) });
  model.network = { ...model.network, allowedCidrs: ['192.0.2.2/32'], extraFirewallRules: [{ protocol: 'tcp', ports: '8443', sources: ['192.0.2.2/32'], target: 'nodes' }], ...extra };
  return model;
}

/** The two scripts masters-1 gets: user-data's baseline and the one its host step installs. */
function scriptsOf(model: ClusterModel): { baseline: string; full: string } {
  const plan = planCluster(model);
  const machine = plan.machines.find((m) => m.name === 'masters-1')!;
  const files = (parse(machine.userData) as { write_files: { path: string; content: string }[] }).write_files;
  const baseline = files.find((f) => f.path === HOST_FIREWALL_PATH)!.content;
  const step = plan.steps.find((x) => x.name === 'host-masters-1')!;
  assert.ok(step.script.includes(`<<'SLOTH_FILE_END'\n${machine.hostFirewallScript}SLOTH_FILE_END\n`), 'the host step installs exactly this script');
  return { baseline, full: machine.hostFirewallScript };
}

test('host firewall: the baseline opens SSH only; the full set opens internal ports only over the non-physical interface and public ones only to their sources; new rules apply in place', { skip, timeout: 60_000 }, async () => {
  const lab = new NetnsLab();
  const sys = mkdtempSync(join(tmpdir(), 'sloth-sysnet-'));
  let listener: ReturnType<typeof spawn> | undefined;
  try {
    lab.addNetwork('bpub');
    const a = lab.addMachine('master', { public: { bridge: 'bpub', cidr: '192.0.2.1/24' } });
    const b = lab.addMachine('allowed', { public: { bridge: 'bpub', cidr: '192.0.2.2/24' } });
    const c = lab.addMachine('stranger', { public: { bridge: 'bpub', cidr: '192.0.2.3/24' } });
    // A direct, non-physical link between master and allowed, standing in for WireGuard.
    lab.run(['ip', 'link', 'add', 'wgsim', 'netns', a.ns, 'type', 'veth', 'peer', 'name', 'wgsim', 'netns', b.ns]);
    lab.run(['ip', '-n', a.ns, 'addr', 'add', '10.8.0.1/24', 'dev', 'wgsim']);
    lab.run(['ip', '-n', b.ns, 'addr', 'add', '10.8.0.2/24', 'dev', 'wgsim']);
    lab.run(['ip', '-n', a.ns, 'link', 'set', 'wgsim', 'up']);
    lab.run(['ip', '-n', b.ns, 'link', 'set', 'wgsim', 'up']);

    mkdirSync(join(sys, 'pub0'));
    writeFileSync(join(sys, 'pub0', 'device'), '');
    mkdirSync(join(sys, 'wgsim'));
    mkdirSync(join(sys, 'lo'));
    const apply = (script: string) => lab.run(['bash', '-s'], { ns: a.ns, input: script.replace('/sys/class/net/*', `${sys}/*`) });
    const first = scriptsOf(clusterModel());
    assert.match(apply(first.baseline), /filtering "pub0"/);

    listener = spawn('ip', ['netns', 'exec', a.ns, process.execPath, '-e', "const ports = [22, 2379, 6443, 8443, 9345, 10250]; let n = 0; for (const p of ports) require('node:net').createServer((s) => s.end()).listen(p, '0.0.0.0', () => { if (++n === ports.length) console.log('up'); });"], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      listener!.stdout!.once('data', () => resolve());
      listener!.once('exit', (code) => reject(new Error(`listener exited ${code}`)));
    });

    // A dropped SYN never answers, so "closed" is a timeout; an open port answers at once,
    // but give slow, loaded machines time to start the probe.
    const probe = (ns: string, host: string, port: number, seconds: number) =>
      spawnSync('ip', ['netns', 'exec', ns, 'timeout', String(seconds), 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`], { stdio: 'ignore' }).status === 0;
    const opens = (ns: string, host: string, port: number) => probe(ns, host, port, 1) || probe(ns, host, port, 5);
    const dropped = (ns: string, host: string, port: number) => !probe(ns, host, port, 2);

    // The baseline (first boot, before the host step): SSH only.
    assert.equal(opens(c.ns, '192.0.2.1', 22), true, 'SSH from anywhere: the cloud firewall narrows it');
    for (const port of [6443, 8443, 2379, 9345, 10250]) assert.ok(dropped(b.ns, '192.0.2.1', port), `baseline: port ${port} on the physical interface`);

    // The full rule set, as the host step installs it.
    apply(first.full);
    assert.equal(opens(b.ns, '192.0.2.1', 22), true, 'SSH from an allowed CIDR');
    assert.equal(opens(c.ns, '192.0.2.1', 22), true, "SSH from elsewhere: the deploy's way in is narrowed by the cloud firewall only");
    assert.equal(opens(b.ns, '192.0.2.1', 6443), true, 'Kubernetes API from an allowed CIDR');
    assert.ok(dropped(c.ns, '192.0.2.1', 6443), 'Kubernetes API from outside the allowed CIDRs');
    assert.equal(opens(b.ns, '192.0.2.1', 8443), true, 'a user rule from its source');
    assert.ok(dropped(c.ns, '192.0.2.1', 8443), 'a user rule from elsewhere');
    for (const port of [2379, 9345, 10250]) {
      assert.ok(dropped(b.ns, '192.0.2.1', port), `internal port ${port} on the physical interface`);
      assert.ok(dropped(c.ns, '192.0.2.1', port), `internal port ${port} from a stranger`);
    }
    // Over the non-physical interface (WireGuard in production).
    for (const port of [2379, 9345, 10250, 6443]) assert.equal(opens(b.ns, '10.8.0.1', port), true, `port ${port} over the mesh`);

    // The rules change (the operator moved to 192.0.2.3): the host step applies the new set
    // over the old one, in place, and the table is replaced, never duplicated.
    const moved = scriptsOf(clusterModel({ operatorCidrs: ['192.0.2.3/32'] }));
    assert.equal(moved.baseline, first.baseline, 'user-data does not change');
    assert.notEqual(moved.full, first.full);
    apply(moved.full);
    assert.equal(opens(c.ns, '192.0.2.1', 6443), true, 'the new operator reaches the API');
    assert.ok(dropped(c.ns, '192.0.2.1', 8443), 'and nothing else it was not given');
    apply(moved.full);
    const tables = lab.run(['nft', 'list', 'tables'], { ns: a.ns });
    assert.equal(tables.match(/sloth_host/g)?.length, 1);
  } finally {
    listener?.kill();
    lab.cleanupSync();
    rmSync(sys, { recursive: true, force: true });
  }
});
