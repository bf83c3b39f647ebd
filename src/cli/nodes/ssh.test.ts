// nodes ssh through the CLI, against a real sshd standing in for a machine of a cluster deployed
// on the simulated cloud: the machine's own host key (recorded by the stack) is the sshd's, the
// stack's deploy key is authorized, and the stack's recorded connection to the machine points
// at it. An interactive session gets a real pseudo-terminal on both sides (`script` gives the
// CLI one). The bastion hop is in test/netns/day2.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerSimulatedClouds } from '../../../test/provider/simulated-cloud.ts';
import { pointStackAt, recorded, type Recorded } from '../../../test/helpers/deployed-stack.ts';
import { missing } from '../../../test/helpers/parts.ts';
import { startSshd, type TestSshd } from '../../cluster/testing/sshd.ts';
import { sshFingerprint } from '../../cluster/bootstrap/ssh-keys.ts';
import { HistoryEnv, PASSPHRASE, SIM_CLI } from '../history/testing.ts';

const skip = missing('sshd', 'ssh-keygen', 'root');
const config = `
(cluster
  (metadata (name "shell") (environment "test"))
  (providers (digitalocean (enabled true) (region "nyc3") (token "dop_v1_ssh_test_token_3e9d")))
  (network (mode "wireguard") (wireguard (enabled true) (create true) (mesh-networking true)))
  (node-pools
    (masters (name "masters") (provider "digitalocean") (count 1) (roles master etcd) (size "s-2vcpu-4gb"))
    (workers (name "workers") (provider "digitalocean") (count 1) (roles worker) (size "s-2vcpu-4gb")))
  (kubernetes (distribution "k3s")))
`;

let e: HistoryEnv;
let rec: Recorded;
let unregister = () => {};
const sshds: TestSshd[] = [];
before(async () => {
  if (skip) return;
  unregister = registerSimulatedClouds();
  e = new HistoryEnv(undefined);
  writeFileSync(join(e.dir, 'cluster.lisp'), config);
  assert.equal((await e.run(['stacks', 'create', 'shell'])).code, 0);
  const d = await e.run(['deploy', 'shell', '--config', 'cluster.lisp', '--yes']);
  assert.equal(d.code, 0, d.stderr + d.stdout.slice(-2000));
  rec = await recorded(e, 'shell', PASSPHRASE);
});
after(() => {
  for (const s of sshds) s.stop();
  unregister();
  e?.cleanup();
});

/** masters-1 is an sshd serving `hostKey` (default: the machine's own, as recorded). */
async function serveMaster(hostKey = rec.machines['masters-1']!.ownHostKey): Promise<TestSshd> {
  const sshd = await startSshd(rec.deployKey.publicKey, { hostKey });
  sshds.push(sshd);
  await pointStackAt(e, 'shell', PASSPHRASE, { machines: { 'masters-1': { host: sshd.host, port: sshd.port, user: sshd.user } } });
  return sshd;
}

test('nodes ssh -- CMD: runs on the node as the stack\'s user with its key; output, input and exit status pass through; on record', { skip, timeout: 120_000 }, async () => {
  const sshd = await serveMaster();
  let r = await e.run(['nodes', 'ssh', 'shell', 'masters-1', '--', 'echo', 'hello from $(whoami)']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, `hello from ${sshd.user}\n`, '']);
  r = await e.run(['nodes', 'ssh', 'shell', 'masters-1', '--', 'tr', 'a-z', 'A-Z'], { stdin: 'piped to the node\n' });
  assert.deepEqual([r.code, r.stdout], [0, 'PIPED TO THE NODE\n']);
  r = await e.run(['nodes', 'ssh', 'shell', 'masters-1', '--', 'echo', 'oops', '>&2;', 'exit', '7']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [7, '', 'oops\n']);
  const events = (await e.records('shell')).events.filter((x) => x.metadata.command === 'nodes ssh');
  assert.deepEqual(events.map((x) => [x.type, x.action, x.resourceId, x.resourceType, x.success]), Array(3).fill(['state', 'read', 'masters-1', 'node', true]));
  assert.equal(events[0]!.description, `SSH command on masters-1 of stack 'shell' as ${sshd.user}`);
});

test('nodes ssh: a shell with a terminal — a PTY on the node, raw input, the remote exit status', { skip: skip ?? missing('script'), timeout: 120_000 }, async () => {
  await serveMaster();
  // `script` runs the CLI on a pseudo-terminal and feeds it what the test writes.
  const cli = `${process.execPath} ${SIM_CLI} nodes ssh shell masters-1`;
  const child = spawn('script', ['-qec', cli, '/dev/null'], { env: { ...e.env, TERM: 'xterm' } as NodeJS.ProcessEnv, cwd: e.dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const waitFor = async (re: RegExp) => {
    const deadline = Date.now() + 60_000;
    while (!re.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, re);
  };
  await waitFor(/[#$] $/m);
  child.stdin.write('tty; echo "term=$TERM"; exit 3\r');
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.match(out, /\/dev\/pts\/\d+/, 'the remote command sees a terminal');
  assert.match(out, /term=xterm/);
  assert.equal(code, 3, out);
});

test('nodes ssh pins the machine\'s own host key: a different key, or the user-data key it replaced, is refused', { skip, timeout: 120_000 }, async () => {
  const { generateEd25519KeyPair } = await import('../../cluster/bootstrap/ssh-keys.ts');
  const impostor = generateEd25519KeyPair('impostor');
  let sshd = await serveMaster(impostor);
  let r = await e.run(['nodes', 'ssh', 'shell', 'masters-1', '--', 'true']);
  assert.equal(r.code, 1);
  const pinned = sshFingerprint(rec.machines['masters-1']!.ownHostKey.publicKey);
  assert.equal(r.stderr, `error: host key of masters-1 (127.0.0.1:${sshd.port}) is ${sshFingerprint(impostor.publicKey)}, but ${pinned} was pinned for this machine; refusing to connect (the address may now belong to another machine, or the connection is being intercepted)\nIf masters-1 was replaced outside sloth-kubernetes, bring the stack up to date first: sloth-kubernetes refresh shell\n`);
  // The key in the machine's user-data pinned only its first connection, which replaced it.
  sshd = await serveMaster(rec.machines['masters-1']!.userDataHostKey);
  r = await e.run(['nodes', 'ssh', 'shell', 'masters-1', '--', 'true']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^error: host key of masters-1 \\(127\\.0\\.0\\.1:${sshd.port}\\) is ${sshFingerprint(rec.machines['masters-1']!.userDataHostKey.publicKey).replace(/[+/]/g, '\\$&')}, but ${pinned.replace(/[+/]/g, '\\$&')} was pinned`));
  const last = (await e.records('shell')).events.at(-1)!;
  assert.deepEqual([last.metadata.command, last.success], ['nodes ssh', false]);
});

test('nodes ssh: an unknown node, a stack with no cluster, one deployed with --no-bootstrap — one clear line each', { skip, timeout: 120_000 }, async () => {
  let r = await e.run(['nodes', 'ssh', 'shell', 'master-1']);
  assert.deepEqual([r.code, r.stderr], [1, "error: stack 'shell' has no node 'master-1'; did you mean 'masters-1'?\nIts machines: masters-1, workers-1\n"]);
  assert.equal((await e.run(['stacks', 'create', 'bare'])).code, 0);
  r = await e.run(['nodes', 'ssh', 'bare', 'masters-1']);
  assert.deepEqual([r.code, r.stderr], [1, "error: stack 'bare' has no cluster: it was never deployed, or its resources were destroyed\nDeploy it first: sloth-kubernetes deploy bare --config FILE\n"]);
  const d = await e.run(['deploy', 'bare', '--config', 'cluster.lisp', '--no-bootstrap', '--yes']);
  assert.equal(d.code, 0, d.stderr);
  r = await e.run(['nodes', 'ssh', 'bare', 'workers-1', '--', 'true']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "error: stack 'bare' records no SSH connection to workers-1: it was deployed with --no-bootstrap, or the deploy stopped before its first step on workers-1\nA deploy without --no-bootstrap installs workers-1's own host key and records how to reach it: sloth-kubernetes deploy bare --config FILE\n");
  r = await e.run(['nodes', 'ssh', 'shell', 'masters-1', '-t', '--', 'true']);
  assert.deepEqual([r.code, r.stderr], [1, 'error: -t asks for a terminal, but standard input and output are not one\n']);
});
