// `vpn join` and `vpn leave` against real WireGuard and real SSH. A cluster (bastion and two
// nodes on one provider's private network) is deployed on the simulated cloud; each of its
// machines then becomes a network namespace (cluster-lab.ts) that serves, on the addresses the
// stack is pointed at, the machine's own host key over the real sshd and a wireguard-go `wg0`
// with the stack's mesh config. The laptop is one more namespace: the CLI runs there, reaches
// the nodes through the bastion over SSH, and its wg-quick file is loaded into the laptop's own
// wireguard-go. Joined: ping and a TCP connection to a node's mesh address answer. Left: they
// do not. In between, Salt runs on the nodes as the bootstrap configures it (salt-host.ts) and
// every `salt` command is driven from the laptop over the mesh. No private key or API password
// reaches any output, the audit log or the backend in plaintext.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { netnsSkipReason, type LabMachine, type NetnsLab } from './harness.ts';
import { SaltLab } from './salt-host.ts';
import { answered, bringUp, labConfig, recordSaltMaster, startClusterLab, stepFiles, until, type Cli, type ClusterLab } from './cluster-lab.ts';
import { missing } from '../helpers/parts.ts';
import { HistoryEnv } from '../../src/cli/history/testing.ts';
import { registerSimulatedClouds } from '../provider/simulated-cloud.ts';
import type { ResourceState } from '../../src/state/index.ts';

const skip = netnsSkipReason() ?? missing('sshd', 'nft', 'salt', 'openssl');

let unregister: () => void;
before(() => {
  unregister = registerSimulatedClouds();
});
after(() => unregister());

/** A TCP connection from `from` to `address`:22 that reads the SSH banner. */
function tcpBanner(from: LabMachine, address: string): boolean {
  const r = spawnSync('ip', ['netns', 'exec', from.ns, 'timeout', '5', 'bash', '-c', `exec 3<>/dev/tcp/${address}/22 && head -c 8 <&3`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.startsWith('SSH-2.0');
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}


/**
 * The salt commands from the laptop against the master and minions of the bootstrap's own
 * configuration; the API password (to look for in every output afterwards).
 */
async function saltOverTheMesh(cli: Cli, salt: SaltLab, lab: NetnsLab, e: HistoryEnv, live: ResourceState[], mesh: Record<string, string>): Promise<string> {
  const certificate = salt.startMaster(lab.machines.get('masters-1')!, mesh['masters-1']!, stepFiles(live, 'salt-master'));
  const apiPassword = await recordSaltMaster(e, 'vpnlab', { tlsCertificate: certificate });
  // The login goes through the master (eauth): once it answers, the minions start.
  let r = await until(cli, ['salt', 'login'], (x) => x.code === 0);
  assert.equal(r.code, 0, `${r.stderr}\n${salt.log}`);
  assert.match(r.stdout, /^Logged in to the Salt API of stack 'vpnlab' at https:\/\/10\.8\.0\.\d+:8000 \(master masters-1\) as saltapi \(eauth sharedsecret\); the token expires \d{4}-.+\.\nPermissions: \.\*, @jobs, @runner, @wheel\n$/);
  for (const node of ['masters-1', 'workers-1']) salt.startMinion(lab.machines.get(node)!, stepFiles(live, `salt-minion-${node}`));
  r = await until(cli, ['salt', 'ping', '--json'], (x) => answered(x).length === 2);
  assert.deepEqual(answered(r), ['masters-1', 'workers-1'], `${r.stderr}${r.stdout}\n${salt.log}`);

  r = await cli(['salt', 'ping']);
  assert.equal(r.stdout, 'masters-1: true\nworkers-1: true\n');
  assert.match(r.stderr, /^2 minion\(s\) answered in \d+ ms\.\n$/);
  r = await cli(['salt', 'cmd', 'workers-*', 'cmd.run', 'echo $((6 * 7)) from $(cat /proc/sys/kernel/hostname)']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^workers-1: 42 from \S+\n$/);
  r = await cli(['salt', 'cmd', '--target-type', 'grain', 'id:masters-1', 'test.ping']);
  assert.equal(r.stdout, 'masters-1: true\n');
  r = await cli(['salt', 'cmd', '--target-type', 'list', 'masters-1,workers-1', 'test.ping']);
  assert.equal(r.stdout, 'masters-1: true\nworkers-1: true\n');
  // A command that fails on the minion: its output, then exit 1 naming it.
  r = await cli(['salt', 'cmd', 'masters-1', 'cmd.run', 'echo no such thing; exit 3']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'masters-1: no such thing\n');
  assert.match(r.stderr, /cmd\.run failed on 1 minion\(s\): masters-1 \(a non-zero retcode\)/);

  // Unknown minions: in a list, or a plain name.
  r = await cli(['salt', 'cmd', '--target-type', 'list', 'masters-1,ghost-9', 'test.ping']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown minion ghost-9 in stack 'vpnlab'[^]*Accepted minions: masters-1, workers-1/);
  r = await cli(['salt', 'ping', 'ghost-9']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown minion ghost-9 in stack 'vpnlab'/);

  r = await cli(['salt', 'minions']);
  assert.match(r.stdout, /^MINION +KEY +RESPONDING\nmasters-1 +accepted +yes\nworkers-1 +accepted +yes\n$/);
  r = await cli(['salt', 'keys', 'list', '--json']);
  assert.deepEqual((JSON.parse(r.stdout) as { keys: unknown }).keys, { minions: ['masters-1', 'workers-1'], minions_pre: [], minions_rejected: [], minions_denied: [] });
  r = await cli(['salt', 'system', 'memory']);
  assert.match(r.stdout, /^MINION +TOTAL +AVAILABLE +FREE +SWAP FREE\nmasters-1 +\d[\d.]* [MG]iB +\d[^]*\nworkers-1 +\d/);
  r = await cli(['salt', 'system', 'disk', '--tgt', 'workers-1']);
  assert.match(r.stdout, /^MINION +MOUNT +FILESYSTEM +SIZE +USED +USE%\nworkers-1 +\/ /);

  // A state from the master's file roots: applied on both, then nothing left to change; a broken one fails.
  writeFileSync(join(salt.states, 'lab.sls'), `lab-file:\n  file.managed:\n    - name: ${salt.dir}/applied-{{ grains['id'] }}\n    - contents: applied by salt state apply\n`);
  writeFileSync(join(salt.states, 'broken.sls'), `broken-file:\n  file.managed:\n    - name: ${salt.dir}/no/such/dir/file\n    - contents: never\n`);
  r = await cli(['salt', 'state', 'apply', 'lab', '--json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const applied = (JSON.parse(r.stdout) as { results: Record<string, Record<string, { result: boolean; changes: object }>> }).results;
  assert.deepEqual(Object.keys(applied).sort(), ['masters-1', 'workers-1']);
  for (const m of ['masters-1', 'workers-1']) {
    assert.equal(readFileSync(join(salt.dir, `applied-${m}`), 'utf8'), 'applied by salt state apply\n');
    assert.deepEqual(Object.values(applied[m]!).map((s) => [s.result, Object.keys(s.changes).length > 0]), [[true, true]]);
  }
  r = await cli(['salt', 'state', 'apply', 'lab', '--tgt', 'workers-1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(Object.values((JSON.parse(r.stdout) as { results: Record<string, Record<string, { changes: object }>> }).results['workers-1']!).map((s) => s.changes), [{}]);
  r = await cli(['salt', 'state', 'apply', 'broken', '--tgt', 'workers-1']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^workers-1:\n[^]*"result": false/);
  assert.match(r.stderr, /state\.apply failed on 1 minion\(s\): workers-1/);

  // Keys: rejected, then accepted again, the minion answers again.
  r = await cli(['salt', 'keys', 'reject', 'workers-1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.replace(/ +/g, ' '), 'workers-1: key rejected.\nMINION KEY\nmasters-1 accepted\nworkers-1 rejected\n');
  r = await cli(['salt', 'keys', 'accept', 'workers-1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.replace(/ +/g, ' '), 'workers-1: key accepted.\nMINION KEY\nmasters-1 accepted\nworkers-1 accepted\n');
  r = await until(cli, ['salt', 'ping', '--json'], (x) => answered(x).length === 2);
  assert.deepEqual(answered(r), ['masters-1', 'workers-1'], `${r.stderr}\n${salt.log}`);
  r = await cli(['salt', 'keys', 'delete', 'ghost-9']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown minion ghost-9 in stack 'vpnlab': the master holds no key for it/);

  // Credentials the master does not take: refused, clearly, and nothing shown of them.
  await recordSaltMaster(e, 'vpnlab', { password: 'not-the-shared-secret' });
  r = await cli(['salt', 'ping']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the Salt API at 10\.8\.0\.\d+:8000 refused the credentials \(401\): the API user 'saltapi' \(eauth sharedsecret\) was not accepted/);
  assert.ok(!r.stderr.includes('not-the-shared-secret'));
  await recordSaltMaster(e, 'vpnlab', { password: apiPassword });

  // The changes are audited: cmd, state apply, key changes.
  const audited = (await e.records('vpnlab')).events.filter((x) => x.resourceType === 'salt-key' && x.description.startsWith('Salt key')).map((x) => x.description);
  assert.deepEqual(audited, ["Salt key of workers-1 rejected on the master of stack 'vpnlab'", "Salt key of workers-1 accepted on the master of stack 'vpnlab'"]);
  return apiPassword;
}

test('vpn join: the laptop reaches every node over the mesh (ping, TCP) and drives Salt through its API; a re-run converges; the name is kept; vpn leave cuts it off; no key or password in any output', { skip, timeout: 300_000 }, async () => {
  const e = new HistoryEnv(undefined);
  const salt = new SaltLab();
  let cluster: ClusterLab | undefined;
  try {
    cluster = await startClusterLab(e, 'vpnlab', labConfig('vpnlab', 1));
    const { lab, laptop, live, mesh, cli: inLab } = cluster;
    assert.deepEqual(Object.keys(mesh).sort(), ['bastion', 'masters-1', 'workers-1']);

    // Before joining: the mesh addresses lead nowhere from the laptop.
    assert.equal(lab.ping(laptop, mesh['masters-1']!), false);

    const outputs: string[] = [];
    const cli = async (argv: string[]) => {
      const r = await inLab(argv);
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    let r = await cli(['vpn', 'join', 'vpnlab', '--name', 'alice']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^Joined the mesh of stack 'vpnlab' as alice \(10\.8\.0\.254\): 3 of 3 machines updated \(bastion, masters-1, workers-1\)\.\n/);
    const path = join(e.dir, '.sloth-kubernetes/vpn/vpnlab/alice.conf');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const clientConfig = readFileSync(path, 'utf8');
    const privateKey = /^PrivateKey = (\S+)$/m.exec(clientConfig)![1]!;

    // The laptop brings the file up as wg-quick would.
    await bringUp(lab, laptop, clientConfig);

    for (const node of ['masters-1', 'workers-1', 'bastion']) {
      assert.ok(lab.ping(laptop, mesh[node]!), `no answer from ${node} (${mesh[node]}) over the mesh:\n${lab.showWireGuard(laptop)}`);
    }
    assert.ok(tcpBanner(laptop, mesh['workers-1']!), 'no TCP connection to workers-1 over the mesh');

    // Status, read from the machines: a recent handshake with bytes both ways on a node.
    r = await cli(['vpn', 'status', 'vpnlab', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout) as { peers: { client: string; machine: string; handshakeAgeSeconds: number | null; receivedBytes: number; sentBytes: number }[] };
    const seen = status.peers.find((p) => p.client === 'alice' && p.machine === 'workers-1')!;
    assert.ok(seen.handshakeAgeSeconds !== null && seen.handshakeAgeSeconds < 120 && seen.receivedBytes > 0 && seen.sentBytes > 0, JSON.stringify(status));
    r = await cli(['vpn', 'peers', 'vpnlab']);
    assert.match(r.stdout, /^CLIENT +ADDRESS +ROUTES +MACHINE +HANDSHAKE/);
    assert.match(r.stdout, /alice +10\.8\.0\.254 +no +workers-1 +\d+s ago/);

    // Salt, as the bootstrap set it up, driven from the laptop over the mesh.
    const apiPassword = await saltOverTheMesh(cli, salt, lab, e, live, mesh);

    // A re-run converges: same address, same key, nothing new.
    r = await cli(['vpn', 'join', 'vpnlab', '--name', 'alice']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Joined again the mesh of stack 'vpnlab' as alice \(10\.8\.0\.254\)/);
    assert.equal(/^PrivateKey = (\S+)$/m.exec(readFileSync(path, 'utf8'))![1], privateKey);
    // Someone else asking for the same name is refused.
    r = await cli(['vpn', 'join', 'vpnlab', '--name', 'alice', '--output', join(e.dir, 'other.conf')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the VPN client name 'alice' is already taken in stack 'vpnlab' \(10\.8\.0\.254, joined .+ by tester@\S+\)/);

    // Leaving: ping and TCP fail; the address is never handed out again.
    r = await cli(['vpn', 'leave', 'vpnlab', 'alice']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^alice \(10\.8\.0\.254\) left the mesh of stack 'vpnlab': 3 of 3 machines updated/);
    assert.equal(lab.ping(laptop, mesh['masters-1']!), false, 'still answered after vpn leave');
    assert.equal(tcpBanner(laptop, mesh['workers-1']!), false, 'TCP still connects after vpn leave');
    r = await cli(['salt', 'ping']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no connection to the Salt API at 10\.8\.0\.\d+:8000 within 10s/);
    assert.match(r.stderr, /Join the mesh from this machine first: sloth-kubernetes vpn join vpnlab/);
    r = await cli(['vpn', 'join', 'vpnlab', '--name', 'bob', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { address: string }).address, '10.8.0.253');

    // Audit: each run on record, the key nowhere.
    const after = await e.records('vpnlab');
    const vpnEvents = after.events.filter((x) => x.resourceType === 'vpn-client');
    assert.deepEqual(
      vpnEvents.filter((x) => x.type === 'configuration' && x.description.startsWith('VPN client')).map((x) => [x.action, x.resourceId]),
      [
        ['create', 'alice'],
        ['update', 'alice'],
        ['delete', 'alice'],
        ['create', 'bob'],
      ],
    );
    const everything = [...outputs, JSON.stringify(after.events)].join('\n');
    assert.ok(!everything.includes(privateKey), 'a private key was shown');
    assert.ok(!everything.includes(apiPassword), 'the Salt API password was shown');
    for (const file of files(join(e.dir, 'state'))) assert.ok(!readFileSync(file, 'latin1').includes(privateKey), `${file} holds the private key in plaintext`);
  } finally {
    salt.stop();
    cluster?.stop();
    e.cleanup();
  }
});
