// Crash safety on Linode and Hetzner Cloud: a real `deploy` process of a cluster on both is
// SIGKILLed at random moments (once or twice in a row), then deploy runs to the end.
// Afterwards each cloud holds exactly what the stack tracks — every tracked id exists,
// nothing exists that is not tracked, no instance, server, firewall or balancer twice — a
// further deploy changes nothing, and destroy leaves both empty. Neither API has an
// idempotency key: this is `adopt` by URN tag (Linode) and URN label (Hetzner) at work. The
// kill points come from a seeded generator (SLOTH_CRASH_SEED to replay a run).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, launcher, runProcess } from '../../helpers/cli.ts';
import { startLinodeApi, type LinodeApi } from '../../standins/linode/harness.ts';
import { startHetznerApi, type HetznerApi } from '../../standins/hetzner/harness.ts';

const CONFIG = join(import.meta.dirname, 'fixtures', 'linode-hetzner.lisp');
const ROUNDS = 4;
const seed = Number(process.env.SLOTH_CRASH_SEED ?? Date.now() % 100_000);

let linode: LinodeApi;
let hetzner: HetznerApi;
let dir: string;
let env: Record<string, string | undefined>;

before(async () => {
  // Slow enough provisioning and actions that kills land in the middle of creates and waits.
  [linode, hetzner] = await Promise.all([startLinodeApi({ bootMs: 500 }), startHetznerApi({ actionMs: 400 })]);
  dir = mkdtempSync(join(tmpdir(), 'sloth-lh-crash-'));
  env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'lh-crash', SLOTH_OPERATOR_CIDRS: '198.51.100.7/32', CI: 'true', ...linode.env, ...hetzner.env });
});
after(async () => {
  await Promise.allSettled([linode?.stop(), hetzner?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Mulberry32: small, seeded, good enough to spread kill points. */
function random(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A deploy SIGKILLed once it has started `steps` steps (read from its --json event stream), so
 * the kill lands inside the run whatever the machine's load; a run with fewer steps ends on its own.
 */
function deployKilledAfter(stack: string, steps: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, 'deploy', stack, '-c', CONFIG, '--no-bootstrap', '--yes', '--json'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let started = 0;
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line.includes('"type":"step-start"') && ++started === steps) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ killed: signal === 'SIGKILL', code }));
  });
}

async function sloth(args: string[]): Promise<string> {
  const r = await runProcess(args, { env });
  assert.equal(r.code, 0, `sloth ${args.join(' ')}:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  return r.stdout;
}

interface Tracked {
  type: string;
  id: string;
}

async function tracked(stack: string): Promise<Tracked[]> {
  const exported = JSON.parse(await sloth(['stacks', 'export', stack])) as { deployment: { resources?: Tracked[]; pending_operations?: unknown[] } };
  assert.deepEqual(exported.deployment.pending_operations ?? [], [], 'no operation left pending');
  return (exported.deployment.resources ?? []).filter((r) => /^(linode|hcloud):index\//.test(r.type));
}

/** What both clouds hold, by resource type, as the ids the provider records. */
function clouds(): Record<string, string[]> {
  const l = linode.standin;
  const h = hetzner.standin;
  l.inventory();
  h.inventory();
  const nb = [...l.nodeBalancers.values()];
  return {
    'linode:index/instance:Instance': [...l.instances.keys()].map(String),
    'linode:index/vpc:Vpc': [...l.vpcs.keys()].map(String),
    'linode:index/vpcSubnet:VpcSubnet': [...l.vpcs.values()].flatMap((v) => [...v.subnets.keys()].map(String)),
    'linode:index/sshKey:SshKey': [...l.keys.keys()].map(String),
    'linode:index/firewall:Firewall': [...l.firewalls.keys()].map(String),
    'linode:index/nodeBalancer:NodeBalancer': nb.map((n) => String(n.id)),
    'linode:index/nodeBalancerConfig:NodeBalancerConfig': nb.flatMap((n) => [...n.configs.keys()].map(String)),
    'linode:index/nodeBalancerNode:NodeBalancerNode': nb.flatMap((n) => [...n.configs.values()].flatMap((c) => [...c.nodes.keys()].map(String))),
    'hcloud:index/server:Server': [...h.servers.keys()].map(String),
    'hcloud:index/network:Network': [...h.networks.keys()].map(String),
    'hcloud:index/networkSubnet:NetworkSubnet': [...h.networks.values()].flatMap((n) => n.subnets.map((s) => `${n.id}-${s.ip_range}`)),
    'hcloud:index/sshKey:SshKey': [...h.keys.keys()].map(String),
    'hcloud:index/firewall:Firewall': [...h.firewalls.keys()].map(String),
  };
}

function assertCloudsMatch(resources: Tracked[], context: string): void {
  for (const [type, ids] of Object.entries(clouds())) {
    assert.deepEqual([...ids].sort(), resources.filter((r) => r.type === type).map((r) => r.id).sort(), `${context}: ${type} in the cloud = in the stack`);
  }
  const labels = [...linode.standin.instances.values()].map((i) => i.label);
  assert.equal(new Set(labels).size, labels.length, `${context}: no instance twice (${labels.join(', ')})`);
  const names = [...hetzner.standin.servers.values()].map((s) => s.name);
  assert.equal(new Set(names).size, names.length, `${context}: no server twice (${names.join(', ')})`);
}

test(`deploy killed at random points, then deployed again: exactly the stack's resources on both clouds, no twins (seed ${seed})`, { timeout: 900_000 }, async (t) => {
  const next = random(seed);
  let kills = 0;
  let roundsKilled = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const stack = `crash-${round}`;
    await sloth(['stacks', 'create', stack]);
    const interruptions = 1 + Math.floor(next() * 2);
    for (let i = 0; i < interruptions; i++) {
      // The first kill lands inside a deploy (the cluster has over 20 steps); a second one, on a
      // deploy that finishes the interrupted one, may find fewer steps left than its count.
      const r = await deployKilledAfter(stack, 1 + Math.floor(next() * (i === 0 ? 12 : 20)));
      if (r.killed) kills++;
      else assert.equal(r.code, 0, `round ${round}: an uninterrupted deploy succeeds`);
      if (r.killed && i === 0) roundsKilled++;
      if (r.killed) await sloth(['stacks', 'cancel', stack]);
    }
    await sloth(['deploy', stack, '-c', CONFIG, '--no-bootstrap', '--yes']);
    const resources = await tracked(stack);
    assert.equal(resources.filter((r) => r.type === 'linode:index/instance:Instance').length, 3);
    assert.equal(resources.filter((r) => r.type === 'hcloud:index/server:Server').length, 2);
    assertCloudsMatch(resources, `round ${round}`);
    const again = await runProcess(['deploy', stack, '-c', CONFIG, '--no-bootstrap', '--yes'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /No changes\.|Resources: 0 created, 0 updated, 0 replaced, 0 deleted/, `round ${round}: converged`);
    await sloth(['destroy', stack, '--yes']);
    assertCloudsMatch([], `round ${round} destroyed`);
  }
  assert.equal(roundsKilled, ROUNDS, `every round's first deploy was killed mid-way (${roundsKilled} of ${ROUNDS})`);
  const lookups = linode.standin.log.filter((e) => e.method === 'GET' && e.path.startsWith('/v4/linode/instances?')).length + hetzner.standin.log.filter((e) => e.method === 'GET' && /^\/servers\?.*label_selector=sloth-kubernetes%2Furn/.test(e.path)).length;
  t.diagnostic(`seed ${seed}: ${kills} kills, ${lookups} instance/server adopt look-ups`);
  await linode.prism.assertClean({ expectTraffic: true });
  await hetzner.prism.assertClean({ expectTraffic: true });
});
