// Crash safety against moto: a real `deploy` process of the seed's AWS production example is
// killed with SIGKILL — in the network phase, while instances are being created, around the
// load balancer — once or twice per round; after each kill the stale lock is released and the
// next deploy carries on. At the end of each round the stack tracks exactly what moto holds,
// type by type, with no twin of anything (one instance per machine, one VPC …), and a further
// deploy changes nothing. The test also checks that the kills did interrupt instance creates:
// the next run looked for what they had made by URN tag (adopt), which is where twins would
// come from. Kill points come from a seeded generator (SLOTH_CRASH_SEED to replay a run).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, launcher, runProcess } from '../../helpers/cli.ts';
import type { CliResult } from '../../helpers/cli.ts';
import { MOTO_MISSING, motoAvailable, startAwsEmulator } from './moto-aws.ts';
import type { AwsEmulator } from './moto-aws.ts';
import { counts, inventory, stackIds } from './inventory.ts';

const SEED = fileURLToPath(new URL('../../fixtures/config/seeds/aws-production.lisp', import.meta.url));
const ROUNDS = 3;
const seed = Number(process.env.SLOTH_CRASH_SEED ?? Date.now() % 100_000);

/** Where a run is killed: after the `count`-th line of its kind, `delayMs` later. */
interface KillPoint {
  after: 'step' | 'instance' | 'load-balancer';
  count: number;
  delayMs: number;
}

const TRIGGERS: Record<KillPoint['after'], RegExp> = {
  // "creating" or "created": the kill falls between an intent and its result as often as after one.
  step: /: (creating|created)\b/,
  instance: /^\+\s+aws:ec2\/instance:Instance \S+: creating$/,
  'load-balancer': /^\+\s+aws:lb\/loadBalancer:LoadBalancer \S+: creating$/,
};

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
 * The round's kills. The first is in the phase the round is about (instances, the load
 * balancer, the network), so every run of the test interrupts instance and load balancer
 * creates; a second kill, half the time, lands anywhere the generator says.
 */
function killPoints(round: number, next: () => number): KillPoint[] {
  const phases: KillPoint['after'][] = ['instance', 'load-balancer', 'step'];
  const point = (after: KillPoint['after']): KillPoint => ({
    after,
    // 14 instances: the first few "creating" lines come in every run that still has some to make.
    count: after === 'step' ? 1 + Math.floor(next() * 12) : after === 'instance' ? 1 + Math.floor(next() * 6) : 1,
    // An instance create takes ~0.3 s on moto, the load balancer ~0.4 s: the delay puts the
    // kill before RunInstances, during it, or while waiting for `running` / `active`.
    delayMs: after === 'step' ? 0 : Math.floor(next() * 350),
  });
  const points = [point(phases[(round - 1) % phases.length]!)];
  if (next() < 0.5) points.push(point(phases[Math.floor(next() * phases.length)]!));
  return points;
}

const show = (p: KillPoint) => `${p.after} #${p.count}${p.delayMs ? ` +${p.delayMs}ms` : ''}`;

describe('AWS deploy killed at seeded random points', { skip: motoAvailable() ? false : MOTO_MISSING, timeout: 300_000 }, () => {
  let emu: AwsEmulator;
  let dir: string;
  let env: Record<string, string | undefined>;
  const deployArgs = (stack: string) => ['deploy', stack, '--config', SEED, '--no-bootstrap', '--operator-cidr', '203.0.113.7/32', '--yes', '--verbose'];
  const cli = (a: string[]): Promise<CliResult> => runProcess(a, { env, cwd: dir });
  const ok = (r: CliResult, what: string) => assert.equal(r.code, 0, `${what} (seed ${seed})\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);

  before(async () => {
    emu = (await startAwsEmulator())!;
    dir = mkdtempSync(join(tmpdir(), 'sloth-aws-crash-'));
    env = cleanEnv({ ...emu.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: 'crash test passphrase', CI: 'true' });
  });
  after(async () => {
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a deploy and SIGKILLs it at `point`; resolves with its output and whether the kill came first. */
  function killedDeploy(stack: string, point: KillPoint): Promise<{ killed: boolean; code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [launcher, ...deployArgs(stack)], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let partial = '';
      let seen = 0;
      let armed = false;
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const lines = (partial + d.toString()).split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          if (armed || !TRIGGERS[point.after].test(line) || ++seen < point.count) continue;
          armed = true;
          if (point.delayMs === 0) child.kill('SIGKILL');
          else setTimeout(() => child.kill('SIGKILL'), point.delayMs);
        }
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ killed: signal === 'SIGKILL', code, stdout, stderr }));
    });
  }

  it(`converges after SIGKILLs in every phase, with no twins (seed ${seed})`, async (t) => {
    const next = random(seed);
    const outputs: string[] = [];
    const history: string[] = [];
    let kills = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const stack = `prod-${round}`;
      ok(await runProcess(['stacks', 'create', stack, '--password-stdin'], { env, cwd: dir, stdin: 'crash test passphrase\n' }), 'stacks create');
      for (const point of killPoints(round, next)) {
        const r = await killedDeploy(stack, point);
        outputs.push(r.stdout);
        history.push(`round ${round}: ${show(point)}${r.killed ? '' : ' (finished first)'}`);
        if (!r.killed) {
          assert.equal(r.code, 0, `round ${round}: a deploy its kill point never reached succeeds (seed ${seed})\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
          continue;
        }
        kills++;
        // The killed run leaves its lock behind.
        ok(await cli(['stacks', 'cancel', stack]), 'stacks cancel');
      }
      const final = await cli(deployArgs(stack));
      outputs.push(final.stdout);
      ok(final, `round ${round}: deploy after ${history.filter((h) => h.startsWith(`round ${round}:`)).join(', ')}`);

      const inv = await inventory(emu.endpoint);
      const tracked = stackIds((await cli(['stacks', 'export', stack])).stdout);
      assert.deepEqual(tracked, inv, `round ${round}: the stack tracks exactly what moto holds (seed ${seed})`);
      const c = counts(inv);
      assert.equal(c['aws:ec2/instance:Instance'], 14, 'one instance per machine, no twin');
      assert.equal(c['aws:ec2/vpc:Vpc'], 1);
      assert.equal(c['aws:ec2/subnet:Subnet'], 1);
      assert.equal(c['aws:ec2/securityGroup:SecurityGroup'], 3);
      assert.equal(c['aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule'], 8);
      assert.equal(c['aws:lb/loadBalancer:LoadBalancer'], 1);
      assert.equal(c['aws:lb/targetGroup:TargetGroup'], 1);
      assert.equal(c['aws:lb/listener:Listener'], 1);
      assert.equal(c['aws:lb/targetGroupAttachment:TargetGroupAttachment'], 3);
      // And the converged stack is stable.
      const again = await cli([...deployArgs(stack), '--json']);
      ok(again, `round ${round}: no-change deploy`);
      assert.match(again.stdout, /"summary":\{"create":0,"update":0,"replace":0,"delete":0/);
      // Next round on an empty account (the load balancer and key pair names are per cluster).
      ok(await cli(['destroy', stack, '--yes']), `round ${round}: destroy`);
      assert.deepEqual(Object.values(counts(await inventory(emu.endpoint))).filter((n) => n > 0), [], `round ${round}: destroy leaves nothing`);
    }

    // What the runs after a kill found of the interrupted creates (the engine resolves each
    // pending create by the provider's adopt look-up before anything else).
    const lookups = outputs.flatMap((o) => [...o.matchAll(/^info: an interrupted create had made (nothing|\S+?);?(?: it is now tracked in the stack)? \((\S+)\)$/gm)]).map((m) => ({ found: m[1] !== 'nothing', urn: m[2]! }));
    const of = (type: string) => lookups.filter((l) => l.urn.includes(`::${type}::`));
    const instances = of('aws:ec2/instance:Instance');
    const balancers = of('aws:lb/loadBalancer:LoadBalancer');
    t.diagnostic(`seed ${seed}: ${kills} kills (${history.join('; ')}); adopt look-ups: ${lookups.length}, of instances ${instances.length} (${instances.filter((l) => l.found).length} found), of the load balancer ${balancers.length} (${balancers.filter((l) => l.found).length} found)`);
    assert.ok(kills >= ROUNDS, `at least one kill per round (${history.join('; ')}; seed ${seed})`);
    assert.ok(instances.length >= 1, `a kill interrupted an instance create and the next run looked it up by URN tag (${history.join('; ')}; seed ${seed})`);
  });
});
