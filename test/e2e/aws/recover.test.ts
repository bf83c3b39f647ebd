// "Resources exist but no stack" against moto: the seed's AWS production example is deployed,
// its stack deleted (--force: the cloud keeps everything), a stack created again and rebuilt
// with `refresh --config`. Every object is found — the instances too, which need the image
// look-up and the key pair found in the same run — and the next deploy changes nothing: one
// of each object in moto, no instance twinned or replaced.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, runProcess } from '../../helpers/cli.ts';
import type { CliResult } from '../../helpers/cli.ts';
import { MOTO_MISSING, motoAvailable, startAwsEmulator } from './moto-aws.ts';
import type { AwsEmulator } from './moto-aws.ts';
import { counts, inventory, stackIds } from './inventory.ts';

const SEED = fileURLToPath(new URL('../../fixtures/config/seeds/aws-production.lisp', import.meta.url));

describe('AWS: a lost stack rebuilt by refresh --config', { skip: motoAvailable() ? false : MOTO_MISSING, timeout: 300_000 }, () => {
  let emu: AwsEmulator;
  let dir: string;
  let env: Record<string, string | undefined>;
  const cli = async (args: string[]): Promise<CliResult> => {
    const r = await runProcess(args, { env, cwd: dir });
    assert.equal(r.code, 0, `${args.join(' ')}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    return r;
  };

  before(async () => {
    emu = (await startAwsEmulator())!;
    dir = mkdtempSync(join(tmpdir(), 'sloth-aws-recover-'));
    env = cleanEnv({ ...emu.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: 'recover test passphrase', SLOTH_OPERATOR_CIDRS: '203.0.113.7/32', CI: 'true' });
  });
  after(async () => {
    await emu?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds every object, instances included, and the next deploy changes nothing', async () => {
    await cli(['stacks', 'create', 'aws-production']);
    await cli(['deploy', '--config', SEED, '--no-bootstrap', '--yes']);
    const deployed = await inventory(emu.endpoint);
    assert.equal(counts(deployed)['aws:ec2/instance:Instance'], 14);

    const deleted = await cli(['stacks', 'delete', 'aws-production', '--force', '--yes']);
    assert.match(deleted.stdout, /stacks create aws-production, then .*refresh aws-production --config <file>/);
    await cli(['stacks', 'create', 'aws-production']);
    const r = await cli(['refresh', '--config', SEED, '--no-bootstrap']);
    assert.doesNotMatch(r.stdout + r.stderr, /not found in the cloud|not looked up/);
    assert.match(r.stdout, /^= {2}aws:ec2\/imageLookup:ImageLookup \S+: recovered ami-/m);
    assert.match(r.stdout, /^= {2}aws:ec2\/instance:Instance masters-1: found i-/m);
    assert.match(r.stderr, /was rebuilt from the cloud by refresh --config/);
    assert.deepEqual(stackIds((await cli(['stacks', 'export', 'aws-production'])).stdout), deployed, 'the stack tracks exactly what moto holds');

    const next = await cli(['deploy', '--config', SEED, '--no-bootstrap', '--yes', '--json']);
    assert.match(next.stdout, /"create":0,"update":0,"replace":0,"delete":0/);
    assert.deepEqual(await inventory(emu.endpoint), deployed, 'one of each object, the same ones');

    // And the rebuilt stack can take the cluster down.
    await cli(['destroy', 'aws-production', '--yes']);
    assert.deepEqual(Object.values(counts(await inventory(emu.endpoint))).filter((n) => n > 0), []);
  });
});
