// The generated host firewall loaded into a real kernel (nftables, inside a network
// namespace) and probed with real TCP connections: on a physical interface only the
// machine's public services answer, and only to the allowed sources; over a non-physical
// interface (standing in for WireGuard) the cluster-internal ports answer.
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
import { NetnsLab, netnsSkipReason } from './harness.ts';
import { deriveFirewallRules, targetIncludes } from '../../src/cluster/firewall/rules.ts';
import { renderHostFirewallScript } from '../../src/cluster/bootstrap/host-firewall.ts';
import { sampleModel } from '../../src/cluster/testing/arbitraries.ts';

const nftMissing = spawnSync('sh', ['-c', 'command -v nft']).status !== 0;
const skip = netnsSkipReason() ?? (nftMissing ? "'nft' (nftables) is not installed" : undefined);

test('host firewall: internal ports only over the non-physical interface, public ones only from allowed sources', { skip, timeout: 60_000 }, async () => {
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

    const model = sampleModel();
    model.network = { ...model.network, allowedCidrs: ['192.0.2.2/32'] };
    const master = model.nodes.find((n) => n.roles.includes('master'))!;
    const rules = deriveFirewallRules(model).rules.filter((r) => targetIncludes(r.target, { kind: 'node', roles: master.roles }));
    mkdirSync(join(sys, 'pub0'));
    writeFileSync(join(sys, 'pub0', 'device'), '');
    mkdirSync(join(sys, 'wgsim'));
    mkdirSync(join(sys, 'lo'));
    const script = renderHostFirewallScript(rules).replace('/sys/class/net/*', `${sys}/*`);
    const out = lab.run(['bash', '-s'], { ns: a.ns, input: script });
    assert.match(out, /filtering "pub0"/);

    listener = spawn('ip', ['netns', 'exec', a.ns, process.execPath, '-e', "const ports = [22, 2379, 6443, 9345, 10250]; let n = 0; for (const p of ports) require('node:net').createServer((s) => s.end()).listen(p, '0.0.0.0', () => { if (++n === ports.length) console.log('up'); });"], { stdio: ['ignore', 'pipe', 'inherit'] });
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

    // Over the physical interface.
    assert.equal(opens(b.ns, '192.0.2.1', 22), true, 'SSH from an allowed CIDR');
    assert.ok(dropped(c.ns, '192.0.2.1', 22), 'SSH from outside the allowed CIDRs');
    assert.equal(opens(b.ns, '192.0.2.1', 6443), true, 'Kubernetes API');
    for (const port of [2379, 9345, 10250]) {
      assert.ok(dropped(b.ns, '192.0.2.1', port), `internal port ${port} on the physical interface`);
      assert.ok(dropped(c.ns, '192.0.2.1', port), `internal port ${port} from a stranger`);
    }
    // Over the non-physical interface (WireGuard in production).
    for (const port of [2379, 9345, 10250, 6443]) assert.equal(opens(b.ns, '10.8.0.1', port), true, `port ${port} over the mesh`);

    // Running the script again (as the boot unit does) replaces the table, never duplicates it.
    lab.run(['bash', '-s'], { ns: a.ns, input: script });
    const tables = lab.run(['nft', 'list', 'tables'], { ns: a.ns });
    assert.equal(tables.match(/sloth_host/g)?.length, 1);
  } finally {
    listener?.kill();
    lab.cleanupSync();
    rmSync(sys, { recursive: true, force: true });
  }
});
