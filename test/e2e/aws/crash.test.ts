// Crash safety against moto: a real `deploy` process of the seed's AWS production example is
// killed with SIGKILL at random points, several times over; after each kill the stale lock is
// released and the next deploy carries on. At the end the stack tracks exactly what moto
// holds, type by type, with no twin of anything (one instance per machine, one VPC …).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanEnv, launcher, runProcess } from '../../helpers/cli.ts';
import type { CliResult } from '../../helpers/cli.ts';
import { MOTO_MISSING, motoAvailable, startAwsEmulator } from './moto-aws.ts';
import type { AwsEmulator } from './moto-aws.ts';
import { counts, inventory, stackIds } from './inventory.ts';

const SEED = fileURLToPath(new URL('../../fixtures/config/seeds/aws-production.lisp', import.meta.url));
const KILLS = 4;

describe('AWS deploy killed at random points', { skip: motoAvailable() ? false : MOTO_MISSING, timeout: 300_000 }, () => {
  let emu: AwsEmulator;
  let dir: string;
  let env: Record<string, string | undefined>;
  const args = ['deploy', 'prod', '--config', SEED, '--no-bootstrap', '--operator-cidr', '203.0.113.7/32', '--yes'];
  const cli = (a: string[]): Promise<CliResult> => runProcess(a, { env, cwd: dir });

  before(async () => {
    emu = (await startAwsEmulator())!;
    dir = mkdtempSync(join(tmpdir(), 'sloth-aws-crash-'));
    env = cleanEnv({ ...emu.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: 'crash test passphrase', CI: 'true' });
    const r = await runProcess(['stacks', 'create', 'prod', '--password-stdin'], { env, cwd: dir, stdin: 'crash test passphrase\n' });
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Starts a deploy and SIGKILLs it once it has printed `steps` step lines ("creating" or
   * "created": so the kill falls between an intent and its result as often as after one).
   */
  function killedDeploy(steps: number): Promise<{ killed: boolean }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [launcher, ...args], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let seen = 0;
      child.stdout.on('data', (d: Buffer) => {
        seen += (d.toString().match(/: (creating|created)\b/g) ?? []).length;
        if (seen >= steps) child.kill('SIGKILL');
      });
      child.stderr.on('data', () => undefined);
      child.on('error', reject);
      child.on('close', (_code, signal) => resolve({ killed: signal === 'SIGKILL' }));
    });
  }

  it(`converges after ${KILLS} SIGKILLs with no twins`, async () => {
    // 55 resources: four runs cut after at most 12 step lines each never finish the apply.
    const delays: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const steps = 1 + Math.floor(Math.random() * 12);
      delays.push(steps);
      const { killed } = await killedDeploy(steps);
      assert.ok(killed, `run ${k + 1} finished before its kill point (${steps} step lines)`);
      // The killed run leaves its lock behind.
      assert.equal((await cli(['stacks', 'cancel', 'prod'])).code, 0);
      await sleep(20);
    }
    const final = await cli(args);
    assert.equal(final.code, 0, `kills after ${delays.join(', ')} step lines\n${final.stdout.slice(-2000)}\n${final.stderr.slice(-2000)}`);

    const inv = await inventory(emu.endpoint);
    const tracked = stackIds((await cli(['stacks', 'export', 'prod'])).stdout);
    assert.deepEqual(tracked, inv, `the stack tracks exactly what moto holds (kills after ${delays.join(', ')} step lines)`);
    const c = counts(inv);
    assert.equal(c['aws:ec2/instance:Instance'], 14, 'one instance per machine, no twin');
    assert.equal(c['aws:ec2/vpc:Vpc'], 1);
    assert.equal(c['aws:ec2/securityGroup:SecurityGroup'], 3);
    assert.equal(c['aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule'], 8);
    assert.equal(c['aws:lb/loadBalancer:LoadBalancer'], 1);
    assert.equal(c['aws:lb/targetGroupAttachment:TargetGroupAttachment'], 3);
    // And the converged stack is stable.
    const again = await cli([...args, '--json']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /"summary":\{"create":0,"update":0,"replace":0,"delete":0/);
  });
});
