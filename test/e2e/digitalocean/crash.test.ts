// Crash safety on DigitalOcean: a real `deploy` process is SIGKILLed at random moments (once or
// twice in a row), then deploy runs to the end. Afterwards the account holds exactly what the
// stack tracks — every tracked id exists, nothing exists that is not tracked, no droplet,
// firewall, balancer or record twice — a further deploy changes nothing, and destroy leaves
// the account empty. DigitalOcean has no idempotency key: this is `adopt` by URN tag at work.
// The kill points come from a seeded generator (SLOTH_CRASH_SEED to replay a run).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, launcher, runProcess } from '../../helpers/cli.ts';
import { startDoApi, type DoApi } from '../../standins/digitalocean/harness.ts';

const CONFIG = join(import.meta.dirname, 'fixtures', 'multi-node.lisp');
const ROUNDS = 5;
const seed = Number(process.env.SLOTH_CRASH_SEED ?? Date.now() % 100_000);

let api: DoApi;
let dir: string;
let env: Record<string, string | undefined>;

before(async () => {
  // Slow enough actions that kills land in the middle of creates, waits and journal writes.
  api = await startDoApi({ domains: ['example.com'], actionMs: 400, loadBalancerMs: 700, dropletGoneMs: 100 });
  dir = mkdtempSync(join(tmpdir(), 'sloth-do-crash-'));
  env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'do-crash', SLOTH_OPERATOR_CIDRS: '198.51.100.7/32', CI: 'true', ...api.env });
});
after(async () => {
  await api?.stop();
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

/** Starts `deploy` as a process and SIGKILLs it after `ms` (or lets it finish first). */
function deployKilledAfter(stack: string, ms: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcher, 'deploy', stack, '-c', CONFIG, '--no-bootstrap', '--yes'], { env, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', code });
    });
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
  urn: string;
}

async function tracked(stack: string): Promise<Tracked[]> {
  const exported = JSON.parse(await sloth(['stacks', 'export', stack])) as { deployment: { resources?: Tracked[]; pending_operations?: unknown[] } };
  assert.deepEqual(exported.deployment.pending_operations ?? [], [], 'no operation left pending');
  return (exported.deployment.resources ?? []).filter((r) => r.type.startsWith('digitalocean:index/'));
}

/** The account's objects by kind, as ids (tags by name). */
function account(): Record<string, string[]> {
  const s = api.standin;
  s.inventory(); // settles actions and deletions
  return {
    'digitalocean:index/droplet:Droplet': [...s.droplets.keys()].map(String),
    'digitalocean:index/vpc:Vpc': [...s.vpcs.keys()],
    'digitalocean:index/sshKey:SshKey': [...s.keys.keys()].map(String),
    'digitalocean:index/firewall:Firewall': [...s.firewalls.keys()],
    'digitalocean:index/loadBalancer:LoadBalancer': [...s.loadBalancers.keys()],
    'digitalocean:index/dnsRecord:DnsRecord': [...s.domains.get('example.com')!.keys()].map(String),
    'digitalocean:index/tag:Tag': [...s.tags].filter((t) => !t.startsWith('sloth-urn:')),
  };
}

function assertAccountMatches(resources: Tracked[], context: string): void {
  const held = account();
  for (const [type, ids] of Object.entries(held)) {
    const inStack = resources.filter((r) => r.type === type).map((r) => r.id).sort();
    assert.deepEqual([...ids].sort(), inStack, `${context}: ${type} in the account = in the stack`);
  }
  const names = [...api.standin.droplets.values()].map((d) => d.name);
  assert.equal(new Set(names).size, names.length, `${context}: no droplet twice (${names.join(', ')})`);
  const urnTags = [...api.standin.droplets.values()].flatMap((d) => d.tags.filter((t) => t.startsWith('sloth-urn:')));
  assert.equal(new Set(urnTags).size, api.standin.droplets.size, `${context}: one URN tag per droplet`);
  const leftoverUrnTags = [...api.standin.tags].filter((t) => t.startsWith('sloth-urn:') && !urnTags.includes(t));
  assert.deepEqual(leftoverUrnTags, [], `${context}: no URN tag outlives its droplet`);
  const lbNames = [...api.standin.loadBalancers.values()].map((l) => l.name);
  assert.equal(new Set(lbNames).size, lbNames.length, `${context}: no balancer twice`);
}

test(`deploy killed at random points, then deployed again: exactly the stack's resources, no twins (seed ${seed})`, { timeout: 600_000 }, async (t) => {
  const next = random(seed);
  let kills = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const stack = `crash-${round}`;
    await sloth(['stacks', 'create', stack]);
    // One or two interrupted runs, each somewhere between start-up and the end of a deploy.
    const interruptions = 1 + Math.floor(next() * 2);
    for (let i = 0; i < interruptions; i++) {
      // The first kill lands well inside a deploy (~2 s here); a second one may come late.
      const at = 300 + Math.floor(next() * (i === 0 ? 1200 : 2000));
      const r = await deployKilledAfter(stack, at);
      if (r.killed) kills++;
      else assert.equal(r.code, 0, `round ${round}: an uninterrupted deploy succeeds`);
      // The dead process's lock: released as a user would after a crash.
      if (r.killed) await sloth(['stacks', 'cancel', stack]);
    }
    await sloth(['deploy', stack, '-c', CONFIG, '--no-bootstrap', '--yes']);
    const resources = await tracked(stack);
    assert.equal(resources.filter((r) => r.type === 'digitalocean:index/droplet:Droplet').length, 5);
    assertAccountMatches(resources, `round ${round}`);
    const again = await runProcess(['deploy', stack, '-c', CONFIG, '--no-bootstrap', '--yes'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /No changes\.|Resources: 0 created, 0 updated, 0 replaced, 0 deleted/, `round ${round}: converged`);
    await sloth(['destroy', stack, '--yes']);
    assertAccountMatches([], `round ${round} destroyed`);
  }
  assert.ok(kills >= ROUNDS, `at least ${ROUNDS} runs were killed mid-way (${kills})`);
  const adoptLookups = api.standin.log.filter((e) => e.method === 'GET' && /^\/v2\/droplets\?.*tag_name=sloth-urn/.test(e.path)).length;
  t.diagnostic(`seed ${seed}: ${kills} kills, ${adoptLookups} droplet adopt look-ups`);
  await api.prism.assertClean({ expectTraffic: true });
});
