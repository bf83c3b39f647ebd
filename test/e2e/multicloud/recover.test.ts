// "Resources exist but no stack" on Linode and Hetzner (their stand-ins behind prism): a
// cluster across both is deployed, its stack deleted with --force, created again and rebuilt
// with `refresh --config`. Each cloud's deploy key object is found by its label and the plan
// takes the key it holds, so the instances and servers (which need it) are found too and the
// next deploy changes nothing in either account.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runProcess } from '../../helpers/cli.ts';
import { startLinodeApi, type LinodeApi } from '../../standins/linode/harness.ts';
import { startHetznerApi, type HetznerApi } from '../../standins/hetzner/harness.ts';

const CONFIG = join(import.meta.dirname, 'fixtures', 'linode-hetzner.lisp');

let linode: LinodeApi;
let hetzner: HetznerApi;
let dir: string;
let env: Record<string, string | undefined>;

before(async () => {
  [linode, hetzner] = await Promise.all([startLinodeApi(), startHetznerApi()]);
  dir = mkdtempSync(join(tmpdir(), 'sloth-lh-recover-'));
  env = cleanEnv({ HOME: dir, PULUMI_BACKEND_URL: `file://${join(dir, 'backend')}`, PULUMI_CONFIG_PASSPHRASE: 'lh-recover', SLOTH_OPERATOR_CIDRS: '198.51.100.7/32', CI: 'true', ...linode.env, ...hetzner.env });
});
after(async () => {
  await Promise.allSettled([linode?.stop(), hetzner?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function sloth(args: string[]): Promise<string> {
  const r = await runProcess(args, { env });
  assert.equal(r.code, 0, `sloth ${args.join(' ')}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r.stdout + r.stderr;
}

test('Linode and Hetzner: a lost stack rebuilt by refresh --config finds every object; the next deploy changes nothing', { timeout: 300_000 }, async () => {
  await sloth(['stacks', 'create', 'lh-crash']);
  await sloth(['deploy', '-c', CONFIG, '--no-bootstrap', '--yes']);
  const held = () => ({ linode: linode.standin.inventory(), hetzner: hetzner.standin.inventory() });
  const deployed = held();
  await sloth(['stacks', 'delete', 'lh-crash', '--force', '--yes']);
  await sloth(['stacks', 'create', 'lh-crash']);

  const r = await sloth(['refresh', '-c', CONFIG, '--no-bootstrap']);
  assert.doesNotMatch(r, /not found in the cloud|not looked up/);
  assert.match(r, /^= {2}linode:index\/instance:Instance \S+: found \d+/m);
  assert.match(r, /^= {2}hcloud:index\/server:Server \S+: found \d+/m);
  const next = await sloth(['deploy', '-c', CONFIG, '--no-bootstrap', '--yes']);
  assert.match(next, /No changes\./);
  assert.deepEqual(held(), deployed, 'one of each object in both accounts');

  await sloth(['destroy', 'lh-crash', '--yes']);
  assert.deepEqual(Object.values({ ...held().linode, ...held().hetzner }).filter((n) => n > 0), []);
});
