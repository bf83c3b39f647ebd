// rollback on a terminal: data-bearing resources it would destroy are listed and asked about;
// a "no" changes nothing. Unknown targets and a rollback to the current deployment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerSimulatedClouds } from '../../../test/provider/simulated-cloud.ts';
import { HistoryEnv } from './testing.ts';

const seeds = join(import.meta.dirname, '../../../test/fixtures/config/seeds');
let unregister: () => void;
before(() => {
  unregister = registerSimulatedClouds();
});
after(() => unregister());

test('rollback asks on a terminal before destroying machines; no means nothing changes, yes rolls back; bad targets are clear errors', async () => {
  const e = new HistoryEnv(undefined);
  try {
    const v1 = join(seeds, 'development.lisp');
    const v2 = join(e.dir, 'bigger.lisp');
    writeFileSync(v2, readFileSync(v1, 'utf8').replace('(size "s-4vcpu-8gb")))', '(size "s-4vcpu-8gb"))\n    (extra\n      (name "extra")\n      (provider "digitalocean")\n      (count 2)\n      (roles worker)\n      (size "s-2vcpu-4gb")))'));
    assert.equal((await e.run(['stacks', 'create', 'dev-cluster'])).code, 0);
    assert.equal((await e.run(['deploy', '--config', v1, '--yes'])).code, 0);
    assert.equal((await e.run(['deploy', '--config', v2, '--yes'])).code, 0, 'a second pool');
    const first = (await e.records('dev-cluster')).snapshots[0]!;

    const no = await e.run(['rollback', 'dev-cluster', '--to', first.deploymentId, '--yes'], { tty: true, stdin: 'n\n' });
    assert.equal(no.code, 1);
    assert.match(no.stderr, /would destroy or replace 2 resources that hold data:[\s\S]*Droplet::extra-1[\s\S]*Destroy them as part of the rollback\? \[y\/N\] [\s\S]*rollback cancelled; nothing was changed/);
    assert.equal((await e.records('dev-cluster')).meta!.deploymentCount, 2);

    const dry = await e.run(['rollback', 'dev-cluster', '--to', first.deploymentId, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    // The second pool's two machines go (with their firewall, tag, records and steps).
    assert.match(dry.stdout, / - {2}├─ digitalocean:index\/droplet:Droplet +extra-1 +delete\n - {2}├─ digitalocean:index\/droplet:Droplet +extra-2 +delete\n/);
    assert.match(dry.stdout, /Resources: 0 to create, \d+ to update, 0 to replace, \d+ to delete/);

    const yes = await e.run(['rollback', 'dev-cluster', '--to', first.deploymentId, '--yes'], { tty: true, stdin: 'y\n' });
    assert.equal(yes.code, 0, yes.stderr);
    const meta = (await e.records('dev-cluster')).meta!;
    assert.deepEqual([meta.deploymentCount, meta.rollbackTarget, meta.currentNodeCount, meta.nodePoolsRemoved], [3, first.deploymentId, 1, ['extra']]);

    // Back to what runs now: nothing to do.
    const current = await e.run(['rollback', 'dev-cluster', '--to', first.deploymentId, '--yes']);
    assert.equal(current.code, 0, current.stderr);
    assert.match(current.stdout, /No changes\./);
    const unknown = await e.run(['rollback', 'dev-cluster', '--to', 'deploy-99']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /stack 'dev-cluster' has no snapshot or deployment 'deploy-99'\nList them with: sloth-kubernetes snapshots list dev-cluster/);
    const ambiguous = await e.run(['rollback', 'dev-cluster', '--to', 'state-deploy']);
    assert.match(ambiguous.stderr, /'state-deploy' matches 3 snapshots/);
  } finally {
    e.cleanup();
  }
});

test("rollback opens the firewalls to today's operator, not the snapshot's: deploy from A, deploy from B, roll back from B — a preview from B changes nothing; --operator-cidr names it", async () => {
  const A = '198.51.100.7/32';
  const B = '203.0.113.44/32';
  const C = '192.0.2.10/32';
  const e = new HistoryEnv(undefined);
  try {
    const v1 = join(seeds, 'development.lisp');
    const v2 = join(e.dir, 'bigger.lisp');
    writeFileSync(v2, readFileSync(v1, 'utf8').replace('(size "s-4vcpu-8gb")))', '(size "s-4vcpu-8gb"))\n    (extra\n      (name "extra")\n      (provider "digitalocean")\n      (count 1)\n      (roles worker)\n      (size "s-2vcpu-4gb")))'));
    const from = (cidr: string) => ({ env: { SLOTH_OPERATOR_CIDRS: cidr } });
    const holds = async (cidr: string) => JSON.stringify((await e.records('dev-cluster')).stack.deployment.resources.filter((r) => /[Ff]irewall/.test(r.type)).map((r) => r.inputs)).includes(cidr);
    assert.equal((await e.run(['stacks', 'create', 'dev-cluster'])).code, 0);
    assert.equal((await e.run(['deploy', '--config', v1, '--yes'], from(A))).code, 0);
    assert.ok(await holds(A));
    const second = await e.run(['deploy', '--config', v2, '--yes'], from(B));
    assert.equal(second.code, 0, second.stderr);
    assert.ok((await holds(B)) && !(await holds(A)), 'the second deploy moved the firewalls to B');
    const first = (await e.records('dev-cluster')).snapshots[0]!;
    assert.deepEqual(first.inputs.options.operatorCidrs, [A]);

    const back = await e.run(['rollback', 'dev-cluster', '--to', first.deploymentId, '--yes', '--allow-destroy'], from(B));
    assert.equal(back.code, 0, back.stderr);
    assert.ok((await holds(B)) && !(await holds(A)), 'the rollback kept B, who ran it');
    const rec = await e.records('dev-cluster');
    assert.equal(rec.meta!.rollbackTarget, first.deploymentId);
    assert.deepEqual(rec.snapshots.at(-1)!.inputs.options.operatorCidrs, [B], "the rollback's snapshot records the address it used");
    const preview = await e.run(['preview', '--config', v1], from(B));
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /No changes\./);

    // --operator-cidr adds to SLOTH_OPERATOR_CIDRS, as it does for deploy.
    const named = await e.run(['rollback', 'dev-cluster', '--to', first.deploymentId, '--yes', '--operator-cidr', C], from(B));
    assert.equal(named.code, 0, named.stderr);
    assert.ok((await holds(C)) && (await holds(B)) && !(await holds(A)));
    const bad = await e.run(['rollback', 'dev-cluster', '--to', first.deploymentId, '--yes', '--operator-cidr', 'not-an-address'], from(B));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /operator address 'not-an-address' is not an IP address or CIDR/);
  } finally {
    e.cleanup();
  }
});
