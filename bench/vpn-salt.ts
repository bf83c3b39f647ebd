// `vpn join` and `salt ping` on a cluster of 10 nodes (1 master, 9 workers) and a bastion, in
// the network-namespace lab of test/netns (real sshd and wireguard-go per machine, real Salt
// 3006.9: master, API and a minion per node, configured with the bootstrap's own files). The
// CLI runs as a process in the laptop's namespace, as a user runs it: each figure includes
// Node's start, opening the stack and the passphrase's key derivation. Needs root and the
// peers of scripts/test-peers.
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { netnsSkipReason } from '../test/netns/harness.ts';
import { SaltLab } from '../test/netns/salt-host.ts';
import { answered, bringUp, labConfig, recordSaltMaster, startClusterLab, stepFiles, until, type ClusterLab } from '../test/netns/cluster-lab.ts';
import { missing } from '../test/helpers/parts.ts';
import { HistoryEnv } from '../src/cli/history/testing.ts';
import { registerSimulatedClouds } from '../test/provider/simulated-cloud.ts';

const NODES = 10;
const why = netnsSkipReason() ?? missing('sshd', 'nft', 'salt', 'openssl');
if (why) {
  console.error(why);
  process.exit(1);
}
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `median ${Math.round(median(xs))} ms (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;

const unregister = registerSimulatedClouds();
const e = new HistoryEnv(undefined);
const salt = new SaltLab();
let cluster: ClusterLab | undefined;
try {
  console.log(`load at start: ${load()}`);
  cluster = await startClusterLab(e, 'benchlab', labConfig('benchlab', NODES - 1));
  const { lab, laptop, live, mesh, cli: inLab } = cluster;
  const cli = async (argv: string[]) => {
    const t = performance.now();
    const r = await inLab(argv);
    return { ...r, ms: performance.now() - t };
  };
  const must = async (argv: string[]) => {
    const r = await cli(argv);
    if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}${r.stdout}\n${salt.log}`);
    return r;
  };

  // vpn join: a new client's peer added on every machine over SSH (bastion hop), 3 clients; then a re-run.
  const joins: number[] = [];
  for (const name of ['alice', 'bob', 'carol']) joins.push((await must(['vpn', 'join', 'benchlab', '--name', name])).ms);
  const rejoins: number[] = [];
  for (let i = 0; i < 3; i++) rejoins.push((await must(['vpn', 'join', 'benchlab', '--name', 'alice'])).ms);
  console.log(`vpn join, ${Object.keys(mesh).length} machines (${NODES} nodes + bastion): new client ${fmt(joins)}; re-run (converges) ${fmt(rejoins)}; load ${load()}`);
  await bringUp(lab, laptop, readFileSync(join(e.dir, '.sloth-kubernetes/vpn/benchlab/alice.conf'), 'utf8'));

  // Salt: the master and API on masters-1, a minion on every node; every minion answering first.
  const certificate = salt.startMaster(lab.machines.get('masters-1')!, mesh['masters-1']!, stepFiles(live, 'salt-master'));
  await recordSaltMaster(e, 'benchlab', { tlsCertificate: certificate });
  const ready = async (argv: string[], ok: (r: Awaited<ReturnType<typeof cli>>) => boolean) => {
    const r = await until(cli, argv, ok, 120);
    if (!ok(r)) throw new Error(`${argv.join(' ')}: ${r.stderr}${r.stdout}\n${salt.log}`);
  };
  await ready(['salt', 'login'], (r) => r.code === 0);
  const nodes = Object.keys(mesh).filter((m) => m !== 'bastion');
  for (const node of nodes) salt.startMinion(lab.machines.get(node)!, stepFiles(live, `salt-minion-${node}`));
  await ready(['salt', 'ping', '--json'], (r) => answered(r).length === nodes.length);

  const wall: number[] = [];
  const api: number[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await must(['salt', 'ping', '--json']);
    if (answered(r).length !== nodes.length) throw new Error(`salt ping: ${answered(r).length} of ${nodes.length} answered`);
    wall.push(r.ms);
    api.push((JSON.parse(r.stdout) as { durationMs: number }).durationMs);
  }
  console.log(`salt ping, ${nodes.length} minions, 10 runs: whole command ${fmt(wall)}; test.ping through the API (request to every answer) ${fmt(api)}; load ${load()}`);
} finally {
  salt.stop();
  cluster?.stop();
  e.cleanup();
  unregister();
}
