import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliStackEnv } from '../../test/provider/cli-env.ts';
import { runInProcess } from '../../test/helpers/cli.ts';

const seeds = join(import.meta.dirname, '../../test/fixtures/config/seeds');

function withEnv(fn: (e: CliStackEnv) => Promise<void>) {
  return async () => {
    const e = new CliStackEnv();
    try {
      await fn(e);
    } finally {
      e.cleanup();
    }
  };
}

test(
  'preview plans the seed AWS example on a new stack named by metadata.name, with no cloud credentials',
  withEnv(async (e) => {
    await e.create('aws-production');
    const env = { ...e.env, SLOTH_OPERATOR_CIDRS: '198.51.100.7/32' };
    const r = await runInProcess(['preview', '--config', join(seeds, 'aws-production.lisp')], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /aws:ec2\/instance:Instance\s+workers-10\s+create/);
    assert.match(r.stdout, /Resources: \d+ to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged/);
    assert.match(r.stdout, /configJson: \[secret\]/);
    const json = await runInProcess(['preview', 'aws-production', '-c', join(seeds, 'aws-production.lisp'), '--json'], { env });
    assert.equal(json.code, 0, json.stderr);
    assert.ok((JSON.parse(json.stdout) as { steps: unknown[] }).steps.length > 100);
    // Nothing was written: the stack is still empty.
    const { store, stack } = await e.open('aws-production');
    store.close();
    assert.equal(stack.deployment.resources.length, 0);
  }),
);

test(
  'a broken config is reported before the stack is opened, and a missing stack says how to create one',
  withEnv(async (e) => {
    const bad = join(e.dir, 'bad.lisp');
    writeFileSync(bad, '(cluster (metadata (name "x")) (node-pools (w (cuont 3))))');
    const r = await runInProcess(['deploy', '--config', bad, '--yes'], { env: { ...e.env, PULUMI_CONFIG_PASSPHRASE: undefined } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.lisp:1:\d+: error: .*cuont/);
    assert.doesNotMatch(r.stderr, /passphrase/i);
    const missing = await runInProcess(['preview', '--config', join(seeds, 'development.lisp')], { env: { ...e.env, SLOTH_OPERATOR_CIDRS: '198.51.100.7/32' } });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Error: No stack found\.|stack 'dev-cluster' not found/);
  }),
);

test(
  'deploy without a terminal and without --yes refuses after showing the plan, and changes nothing',
  withEnv(async (e) => {
    await e.create('dev-cluster');
    const r = await runInProcess(['deploy', '--config', join(seeds, 'development.lisp'), '--operator-cidr', '198.51.100.7'], { env: e.env });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /to create/);
    assert.match(r.stderr, /refusing to deploy without confirmation/);
    const { store, stack } = await e.open('dev-cluster');
    store.close();
    assert.equal(stack.deployment.resources.length, 0);
  }),
);
